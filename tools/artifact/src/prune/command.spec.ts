/**
 * `npm run artifacts -- prune`, in-process, on a real OCI layout store of hand-made images (skopeo, no buildah): what
 * deploy/ and dist/ reference and each service's newest images stay, verified; the rest and the blobs only it used
 * go; a publish beside it, a failed publish and an interrupted prune all leave a valid store.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from './command';
import { requireTools } from '../containers';
import { blobPath } from '../oci';
import { OciLayoutArtifactStore } from '../oci-layout-store';
import { referencedDigests } from './references';
import type { ImageSource } from '../store';
import { corruptFile, createHandmadeImage, type HandmadeImage } from '../testing/fixtures';

let scratch: string;
let template: string; // a published store, copied for each test
const images: Record<'a0' | 'a1' | 'a2' | 'a3' | 'b1' | 'c1', HandmadeImage> = {} as never;
const source = (image: HandmadeImage): ImageSource => ({ transport: 'oci', dir: image.dir, ref: 'image' });

beforeAll(async () => {
  await requireTools(['skopeo', 'umoci', 'tar']);
  scratch = await mkdtemp(join(tmpdir(), 'musiccorp-prune-spec-'));
  // a0 and a3 differ only in their config: they share their layer blob.
  images.a0 = await createHandmadeImage({ files: { 'app/x.txt': 'shared\n' }, cmd: ['/bin/a0'] });
  images.a1 = await createHandmadeImage({ files: { 'app/a1.txt': 'a1\n' } });
  images.a2 = await createHandmadeImage({ files: { 'app/a2.txt': 'a2\n' } });
  images.a3 = await createHandmadeImage({ files: { 'app/x.txt': 'shared\n' }, cmd: ['/bin/a3'] });
  images.b1 = await createHandmadeImage({ files: { 'app/b1.txt': 'b1\n' } });
  images.c1 = await createHandmadeImage({ files: { 'app/c1.txt': 'c1\n' } });
  template = join(scratch, 'template');
  const store = new OciLayoutArtifactStore(template);
  for (const name of ['a0', 'a1', 'a2', 'a3'] as const)
    await store.publish(source(images[name]), { service: 'alpha', gitSha: `${name}00000` });
  await store.publish(source(images.b1), { service: 'beta', gitSha: 'b100000' });
}, 60_000);

afterAll(async () => {
  for (const image of Object.values(images)) await image?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/**
 * A workspace with a copy of the store: production runs a1 (deploy/), alpha's last run used a2, beta's record names
 * b1; a0 is referenced by nothing and older than alpha's newest, a3.
 */
async function createWorkspace(): Promise<{ root: string; store: OciLayoutArtifactStore }> {
  const root = await mkdtemp(join(scratch, 'workspace-'));
  const store = new OciLayoutArtifactStore(join(root, '.artifacts', 'oci'));
  await cp(template, store.location, { recursive: true });
  const write = async (path: string, text: string) => {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  };
  await write(
    'deploy/production/alpha/deployment.yaml',
    `metadata:\n  annotations:\n    io.musiccorp/artifact-digest: ${images.a1.digest}\nspec:\n  image: registry.example/alpha@${images.a1.digest}\n`,
  );
  await write(
    'dist/pipeline/alpha/last-run.json',
    JSON.stringify({
      service: 'alpha',
      digest: images.a2.digest,
      stages: [{ name: 'slow-test', digest: images.a2.digest }],
    }),
  );
  await write('dist/artifacts/beta/artifact.json', JSON.stringify({ service: 'beta', digest: images.b1.digest }));
  return { root, store };
}

function prune(root: string, ...args: string[]) {
  return runCaptured(main, ['prune', `--workspace=${root}`, ...args], {});
}

async function blobNames(store: OciLayoutArtifactStore): Promise<string[]> {
  return (await readdir(join(store.location, 'blobs', 'sha256'))).sort();
}

/** manifest, config and layers of an image: the blobs it uses. */
const blobsOf = (image: HandmadeImage) => [
  image.digest,
  image.manifest.config.digest,
  ...image.manifest.layers.map((layer) => layer.digest),
];

async function expectStoreValid(store: OciLayoutArtifactStore): Promise<void> {
  for (const image of await store.list())
    await expect(store.verify(image.digest)).resolves.toMatchObject({ digest: image.digest });
}

describe('artifacts prune (OCI layout store)', () => {
  it('reports in a dry run, then removes only what nothing references, and the blobs only it used', async () => {
    const { root, store } = await createWorkspace();
    const a0Only = [images.a0.digest, images.a0.manifest.config.digest]; // its layer is a3's too
    const a0Bytes = (await Promise.all(a0Only.map((blob) => stat(blobPath(store.location, blob))))).reduce(
      (sum, info) => sum + info.size,
      0,
    );
    const indexBefore = await readFile(join(store.location, 'index.json'), 'utf8');
    const blobsBefore = await blobNames(store);

    const dry = await prune(root, '--keep-runs=1', '--dry-run');
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toContain(`would remove  alpha  ${images.a0.digest}  git a000000`);
    expect(dry.stdout).toContain(`Would remove 1 image and 2 blobs, freeing ${a0Bytes} B; nothing was deleted.`);
    expect(await readFile(join(store.location, 'index.json'), 'utf8')).toBe(indexBefore);
    expect(await blobNames(store)).toEqual(blobsBefore);

    const real = await prune(root, '--keep-runs=1');
    expect(real).toMatchObject({ code: 0, stderr: '' });
    expect(real.stdout).toContain("keeping what deploy/ and dist/ reference and each service's 1 newest image:");
    expect(real.stdout).toContain(
      `kept          alpha  ${images.a1.digest}  git a100000  deploy/production/alpha/deployment.yaml`,
    );
    expect(real.stdout).toContain(
      `kept          alpha  ${images.a2.digest}  git a200000  dist/pipeline/alpha/last-run.json`,
    );
    expect(real.stdout).toContain(
      `kept          alpha  ${images.a3.digest}  git a300000  one of the 1 newest of alpha`,
    );
    expect(real.stdout).toContain(
      `kept          beta  ${images.b1.digest}  git b100000  dist/artifacts/beta/artifact.json, one of the 1 newest of beta`,
    );
    expect(real.stdout).toContain(`removed       alpha  ${images.a0.digest}  git a000000`);
    expect(real.stdout).toContain(`Removed 1 image and 2 blobs: ${a0Bytes} B freed; kept 4 images.`);

    const kept = [images.a1, images.a2, images.a3, images.b1];
    expect((await store.list()).map((image) => image.digest)).toEqual(kept.map((image) => image.digest));
    expect(await store.has(images.a0.digest)).toBe(false);
    expect(await blobNames(store)).toEqual([...new Set(kept.flatMap(blobsOf))].map((blob) => blob.slice(7)).sort());
    await expectStoreValid(store);

    expect((await prune(root, '--keep-runs=1')).stdout).toContain('Removed 0 images and 0 blobs: 0 B freed');
    // The default keeps each service's 3 newest: here, everything left.
    expect((await prune(root)).stdout).toContain("each service's 3 newest images:");
    expect(await store.list()).toHaveLength(4);
  });

  it('keeps an older image published again: the publish makes it its service newest', async () => {
    const { root, store } = await createWorkspace();
    const again = await store.publish(source(images.a0), { service: 'alpha', expectedDigest: images.a0.digest });
    expect(again.alreadyPresent).toBe(true);
    expect((await store.list()).at(-1)?.digest).toBe(images.a0.digest);

    expect((await prune(root, '--keep-runs=1')).stdout).toContain(`removed       alpha  ${images.a3.digest}`);
    expect((await store.list()).map((image) => image.digest)).toEqual(
      [images.a1, images.a2, images.b1, images.a0].map((image) => image.digest),
    );
    await expectStoreValid(store); // a0 still has the layer it shared with a3
  });

  it('waits for a publish holding the store lock, and keeps the image it stored', async () => {
    const { root, store } = await createWorkspace();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const atBlobs = new Promise<void>((resolve) => (reached = resolve));
    const publishing = store.publish(source(images.c1), {
      service: 'gamma',
      hooks: { afterBlobs: () => (reached(), gate) },
    });
    await atBlobs; // c1's blobs are in blobs/sha256/, listed by no image yet
    let settled = false;
    const pruning = prune(root, '--keep-runs=1').finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);

    release();
    await publishing;
    const result = await pruning;
    expect(result.stdout).toContain(`kept          gamma  ${images.c1.digest}`);
    await expect(store.verify(images.c1.digest)).resolves.toMatchObject({ digest: images.c1.digest });
  });

  it('deletes the blobs a failed publish left, listed by no image', async () => {
    const { root, store } = await createWorkspace();
    const failing = store.publish(source(images.c1), {
      service: 'gamma',
      hooks: {
        afterBlobs: () => {
          throw new Error('killed after its blobs');
        },
      },
    });
    await expect(failing).rejects.toThrow('killed after its blobs');
    expect(await blobNames(store)).toEqual(expect.arrayContaining(blobsOf(images.c1).map((blob) => blob.slice(7))));

    expect((await prune(root, '--keep-runs=4')).stdout).toContain('Removed 0 images and 3 blobs');
    for (const blob of blobsOf(images.c1)) expect(existsSync(blobPath(store.location, blob))).toBe(false);
    expect(await store.list()).toHaveLength(5);
    await expectStoreValid(store);
  });

  it('an interrupted prune leaves a valid store; the next prune finishes it', async () => {
    const { root, store } = await createWorkspace();
    const interrupted = store.prune({
      referenced: await referencedDigests(root),
      keepNewest: 1,
      afterIndex: () => {
        throw new Error('killed between the index and the blobs');
      },
    });
    await expect(interrupted).rejects.toThrow('killed between the index and the blobs');
    expect(await store.has(images.a0.digest)).toBe(false);
    expect(existsSync(blobPath(store.location, images.a0.digest))).toBe(true); // unused now, still on disk
    await expectStoreValid(store);

    const next = await prune(root, '--keep-runs=1');
    expect(next.stdout).toContain('Removed 0 images and 2 blobs');
    expect(existsSync(blobPath(store.location, images.a0.digest))).toBe(false);
    await expectStoreValid(store);
  });

  it('deletes nothing when a record cannot be read or a kept manifest is broken', async () => {
    const { root, store } = await createWorkspace();
    const blobsBefore = await blobNames(store);
    await writeFile(join(root, 'dist', 'artifacts', 'beta', 'artifact.json'), '{"digest": "sha256:');
    const unreadable = await prune(root, '--keep-runs=1');
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toContain('dist/artifacts/beta/artifact.json is not JSON');
    expect(unreadable.stderr).toContain('nothing was pruned');

    await writeFile(join(root, 'dist', 'artifacts', 'beta', 'artifact.json'), '{}');
    await corruptFile(blobPath(store.location, images.a3.digest), 5);
    const broken = await prune(root, '--keep-runs=1');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(
      `the manifest of ${images.a3.digest} (alpha), an image to keep, is missing or corrupt`,
    );
    expect(broken.stderr).toContain('npx nx run alpha:artifact --skip-nx-cache');
    expect(await store.list()).toHaveLength(5);
    expect(await blobNames(store)).toEqual(blobsBefore);
  });

  it('says that a registry store is not pruned here, and which digests must stay', async () => {
    const { root } = await createWorkspace();
    let stderr = '';
    const code = await main(
      ['prune', `--workspace=${root}`],
      { write: () => true },
      { write: (text: string) => (stderr += text) },
      { ARTIFACT_REGISTRY: '127.0.0.1:5000' },
    );
    expect(code).toBe(1);
    expect(stderr).toContain(
      'The artifact registry 127.0.0.1:5000 is not pruned by this command; nothing was deleted.',
    );
    expect(stderr).toContain(`${images.a1.digest}  deploy/production/alpha/deployment.yaml`);
  });

  it('--help prints the usage and what each flag does', async () => {
    const { code, stdout } = await runCaptured(main, ['--help'], {});
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: npm run artifacts -- prune');
    expect(stdout).toContain('--keep-runs  each service');
  });

  it.each([
    [[]],
    [['gc']],
    [['prune', 'extra']],
    [['prune', '--keep-runs=0']],
    [['prune', '--keep-runs=two']],
    [['prune', '--keep-runs=']],
    [['prune', '--keep']],
    [['prune', '--workspace=/nonexistent/workspace']],
  ])('exits 2 with the usage on %j', async (argv) => {
    let stderr = '';
    const code = await main(argv, { write: () => true }, { write: (text: string) => (stderr += text) }, {});
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /^artifacts: .+\n\nUsage: npm run artifacts -- prune \[--keep-runs=N\] \[--dry-run\] \[--workspace=<dir>\]\n/,
    );
  });
});
