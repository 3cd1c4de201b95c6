/**
 * The OCI-layout artifact store with real skopeo and umoci, on hand-made images (no buildah needed): verified reads,
 * tampering refused, concurrent publishes stored once, SIGKILLed publishes leaving nothing visible.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from './containers';
import {
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  blobPath,
  LayoutFileError,
  processStartTime,
  readIndex,
  sha256File,
  withLockFile,
} from './oci';
import { OciLayoutArtifactStore } from './oci-layout-store';
import type { ImageSource, PublishHooks } from './store';
import { corruptFile, createHandmadeImage, type HandmadeImage } from './testing/fixtures';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, 'testing', 'publish-child.ts');

let scratch: string;
let small: HandmadeImage;
let big: HandmadeImage;
const source = (image: HandmadeImage): ImageSource => ({ transport: 'oci', dir: image.dir, ref: 'image' });

beforeAll(async () => {
  await requireTools(['skopeo', 'umoci', 'tar']);
  scratch = await mkdtemp(join(tmpdir(), 'musiccorp-store-spec-'));
  small = await createHandmadeImage({
    files: { 'app/hello.txt': 'hello from the artifact\n', 'etc/app.conf': 'x=1\n' },
  });
  // ~100 MB layer (a copy of the node binary): a copy takes long enough to be killed in the middle.
  big = await createHandmadeImage({ files: { 'app/big.txt': 'big\n' }, bigFile: process.execPath });
}, 60_000);

afterAll(async () => {
  await small?.dispose();
  await big?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const newStore = async () => new OciLayoutArtifactStore(await mkdtemp(join(scratch, 'store-')));

/** Every file in blobs/sha256/ hashes to its own name: nothing partial or corrupt is in the store. */
async function expectAllBlobsWhole(store: OciLayoutArtifactStore): Promise<string[]> {
  const dir = join(store.location, 'blobs', 'sha256');
  const names = existsSync(dir) ? await readdir(dir) : [];
  for (const name of names) expect((await sha256File(join(dir, name))).digest).toBe(`sha256:${name}`);
  return names;
}

function spawnPublish(
  storeDir: string,
  image: HandmadeImage,
  extra: { pauseAt?: keyof PublishHooks; marker?: string } = {},
): ResultPromise {
  return execa(
    process.execPath,
    [
      '--import',
      'tsx',
      CHILD,
      JSON.stringify({ storeDir, source: source(image), service: 'fixture', gitSha: 'abc1234', ...extra }),
    ],
    {
      cwd: HERE,
      detached: true, // its own process group: SIGKILL reaches skopeo too, as when a CI job is killed
      reject: false,
      all: true,
    },
  );
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function killGroup(child: ResultPromise): Promise<void> {
  process.kill(-child.pid!, 'SIGKILL');
  await child;
}

describe('OCI layout artifact store', () => {
  it('stores an image by digest and reads it back verified; a second publish writes nothing', async () => {
    const store = await newStore();
    const first = await store.publish(source(small), { service: 'fixture', gitSha: 'abc1234' });
    expect(first).toEqual({
      digest: small.digest,
      reference: `musiccorp/fixture@${small.digest}`,
      alreadyPresent: false,
    });
    expect(JSON.parse(await readFile(join(store.location, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    expect(await store.list()).toEqual([
      {
        digest: small.digest,
        size: expect.any(Number),
        service: 'fixture',
        gitSha: 'abc1234',
        reference: `musiccorp/fixture@${small.digest}`,
      },
    ]);

    const image = await store.verify(small.digest);
    expect(image.manifest).toEqual(small.manifest);
    expect(await store.has(small.digest)).toBe(true);

    const again = await store.publish(source(small), { service: 'fixture', expectedDigest: small.digest });
    expect(again.alreadyPresent).toBe(true);
    expect((await expectAllBlobsWhole(store)).length).toBe(3); // manifest, config, layer
    expect(await readdir(join(store.location, '.work'))).toEqual([]);
  });

  it('materializes the verified image as a root file system', async () => {
    const store = await newStore();
    await store.publish(source(small), { service: 'fixture' });
    const rootfs = await store.materialize(small.digest);
    try {
      expect(await readFile(join(rootfs.rootfs, 'app', 'hello.txt'), 'utf8')).toBe('hello from the artifact\n');
      expect(rootfs.command).toEqual(['/bin/true']);
      expect(rootfs.env).toEqual({ PATH: '/usr/bin:/bin' });
    } finally {
      await rootfs.dispose();
    }
    expect(existsSync(rootfs.dir)).toBe(false);
  });

  it('refuses a tampered layer, naming the blob and the fix; a new publish repairs it', async () => {
    const store = await newStore();
    await store.publish(source(small), { service: 'fixture' });
    const layer = small.manifest.layers[0]!.digest;
    await corruptFile(blobPath(store.location, layer), 600);

    const error = await store.verify(small.digest).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactIntegrityError);
    expect((error as ArtifactIntegrityError).blob).toBe(layer);
    expect((error as Error).message).toContain(`layer 1/1 ${layer}`);
    expect((error as Error).message).toContain(blobPath(store.location, layer));
    expect((error as Error).message).toMatch(/hashes to sha256:[0-9a-f]{64}/);
    expect((error as Error).message).toContain('re-run the artifact stage');
    // past the Nx cache: a cached `nx run fixture:artifact` would replay its record and publish nothing
    expect((error as Error).message).toContain('npx nx run fixture:artifact --skip-nx-cache');
    await expect(store.materialize(small.digest)).rejects.toBeInstanceOf(ArtifactIntegrityError);

    const repaired = await store.publish(source(small), { service: 'fixture', expectedDigest: small.digest });
    expect(repaired).toMatchObject({ alreadyPresent: false, repairedBlobs: [layer] }); // it wrote the blob again
    await expect(store.verify(small.digest)).resolves.toMatchObject({ digest: small.digest });
  });

  it('refuses a tampered manifest or config and a missing blob', async () => {
    const store = await newStore();
    await store.publish(source(small), { service: 'fixture' });

    await corruptFile(blobPath(store.location, small.manifest.config.digest), 3);
    await expect(store.verify(small.digest)).rejects.toThrow(/the config sha256:[0-9a-f]{64} of image .* is corrupt/);
    await store.publish(source(small), { service: 'fixture', expectedDigest: small.digest }); // repair

    await rm(blobPath(store.location, small.manifest.layers[0]!.digest), { force: true });
    await expect(store.verify(small.digest)).rejects.toThrow(/layer 1\/1 sha256:[0-9a-f]{64} of image .* is missing/);
    await store.publish(source(small), { service: 'fixture', expectedDigest: small.digest });

    await corruptFile(blobPath(store.location, small.digest), 10);
    const error = await store.verify(small.digest).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ArtifactIntegrityError);
    expect((error as Error).message).toContain(`the manifest of image ${small.digest} is corrupt`);
    expect((error as Error).message).toContain('Delete it (rm -f');
  });

  it('says plainly when a digest is not in the store', async () => {
    const store = await newStore();
    await store.publish(source(small), { service: 'fixture' });
    const unknown = `sha256:${'0'.repeat(64)}`;
    expect(await store.has(unknown)).toBe(false);
    await expect(store.verify(unknown)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.verify(unknown)).rejects.toThrow(/is not in the artifact store .*Run the artifact stage/);
    await expect(store.verify('latest')).rejects.toThrow(/is not an image digest/);
  });

  it('keeps ONE copy when several processes publish the same image at once', async () => {
    const store = await newStore();
    const children = [
      spawnPublish(store.location, big),
      spawnPublish(store.location, big),
      spawnPublish(store.location, big),
    ];
    const results = await Promise.all(children);
    for (const result of results) expect(result.exitCode, String(result.all)).toBe(0);
    const published = results.map(
      (result) =>
        JSON.parse(String(result.stdout).trim().split('\n').pop()!) as { digest: string; alreadyPresent: boolean },
    );
    expect(new Set(published.map((result) => result.digest))).toEqual(new Set([big.digest]));

    const index = await readIndex(store.location);
    expect(index.manifests.map((entry) => entry.digest)).toEqual([big.digest]);
    const blobs = await expectAllBlobsWhole(store);
    expect(blobs.length).toBe(3);
    for (const name of blobs) expect((await stat(join(store.location, 'blobs', 'sha256', name))).nlink).toBe(1); // one copy, no stray links
    expect(await readdir(join(store.location, '.work'))).toEqual([]); // no staging left, lock released
    await expect(store.verify(big.digest)).resolves.toMatchObject({ digest: big.digest });
  }, 120_000);

  it('leaves nothing visible when a publish is SIGKILLed in the middle of the copy', async () => {
    const store = await newStore();
    const child = spawnPublish(store.location, big);
    const work = join(store.location, '.work');
    // Kill once skopeo has started writing the 100 MB layer into the staging directory.
    let stagedBytes = 0;
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(`the publish ended before it could be killed: ${(await child).all}`);
        const staging = existsSync(work)
          ? (await readdir(work)).find((entry) => entry.startsWith('publish-'))
          : undefined;
        if (!staging) return false;
        const layout = join(work, staging, 'layout');
        const files = existsSync(layout) ? await readdir(layout) : [];
        for (const file of files.filter((name) => name.startsWith('oci-put-blob')))
          stagedBytes = (await stat(join(layout, file)).catch(() => ({ size: 0 }))).size;
        return stagedBytes > 0;
      },
      30_000,
      'skopeo to start copying',
    );
    await killGroup(child);
    expect(stagedBytes).toBeLessThan(big.manifest.layers[0]!.size); // really killed mid-copy

    expect(await store.list()).toEqual([]);
    expect(await store.has(big.digest)).toBe(false);
    await expect(store.verify(big.digest)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await expectAllBlobsWhole(store)).toEqual([]);

    // The next publish sweeps the dead staging directory and stores the image whole.
    const result = await store.publish(source(big), { service: 'fixture' });
    expect(result).toMatchObject({ digest: big.digest, alreadyPresent: false });
    expect(await readdir(work)).toEqual([]);
    await expect(store.verify(big.digest)).resolves.toMatchObject({ digest: big.digest });
  }, 120_000);

  it('leaves nothing visible when killed after the blobs are in, before the index names the image', async () => {
    const store = await newStore();
    const marker = join(scratch, `marker-${Date.now()}`);
    const child = spawnPublish(store.location, small, { pauseAt: 'afterBlobs', marker });
    await waitFor(() => existsSync(marker) || child.exitCode !== null, 30_000, 'the publish to reach afterBlobs');
    await killGroup(child);

    expect((await expectAllBlobsWhole(store)).length).toBe(3); // complete blobs, but no artifact:
    expect(await store.list()).toEqual([]);
    await expect(store.verify(small.digest)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.publish(source(small), { service: 'fixture' })).resolves.toMatchObject({
      alreadyPresent: false,
    });
    expect((await store.list()).map((entry) => entry.digest)).toEqual([small.digest]);
  }, 60_000);

  it('recovers the index lock of a publish killed while holding it', async () => {
    const store = await newStore();
    const marker = join(scratch, `marker-lock-${Date.now()}`);
    const child = spawnPublish(store.location, small, { pauseAt: 'whileLocked', marker });
    await waitFor(() => existsSync(marker) || child.exitCode !== null, 30_000, 'the publish to take the lock');
    await killGroup(child);
    expect(existsSync(join(store.location, '.work', 'index.lock'))).toBe(true);
    expect(await store.list()).toEqual([]);

    const started = Date.now();
    await expect(store.publish(source(small), { service: 'fixture' })).resolves.toMatchObject({ digest: small.digest });
    expect(Date.now() - started).toBeLessThan(10_000); // the dead holder's lock was broken, not waited out
    expect(existsSync(join(store.location, '.work', 'index.lock'))).toBe(false);
  }, 60_000);

  it('names a damaged index.json and the fix, which works: set it aside and publish again', async () => {
    const store = await newStore();
    await store.publish(source(small), { service: 'fixture' });
    const indexFile = join(store.location, 'index.json');
    const text = await readFile(indexFile, 'utf8');
    for (const damaged of [text.slice(0, text.length / 2), '', '{"schemaVersion": 2}']) {
      await writeFile(indexFile, damaged);
      for (const read of [
        () => store.list(),
        () => store.verify(small.digest),
        () => store.publish(source(small), { service: 'fixture' }),
      ]) {
        const error = await read().catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(LayoutFileError);
        expect((error as LayoutFileError).path).toBe(indexFile);
        expect((error as Error).message).toMatch(new RegExp(`^${indexFile} is not (JSON|an OCI image index)`));
        expect((error as Error).message).toContain(`mv ${indexFile} ${indexFile}.damaged`);
        expect((error as Error).message).toContain('npx nx run-many -t artifact --skip-nx-cache');
      }
    }
    await rename(indexFile, `${indexFile}.damaged`); // the fix, as the message gives it
    await store.publish(source(small), { service: 'fixture' });
    expect((await store.list()).map((image) => image.digest)).toEqual([small.digest]);
    await expect(store.verify(small.digest)).resolves.toMatchObject({ digest: small.digest });

    await rm(indexFile);
    await mkdir(indexFile); // a file that cannot be read at all
    await expect(store.list()).rejects.toThrow(`${indexFile} cannot be read (EISDIR): give this user read access`);
  });

  it('names a damaged oci-layout and the command that writes it again, which works', async () => {
    const store = await newStore();
    await store.publish(source(small), { service: 'fixture' });
    const marker = join(store.location, 'oci-layout');
    await writeFile(marker, '{"imageLayoutVers');
    const error = await store.publish(source(small), { service: 'fixture' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LayoutFileError);
    expect((error as Error).message).toContain(`${marker} is not an OCI layout marker`);
    const fix = /Write it again: (.*)$/.exec((error as Error).message)?.[1];
    expect(fix).toBe(`printf '%s\\n' '{"imageLayoutVersion":"1.0.0"}' > ${marker}`);
    await execa('sh', ['-c', fix!]);
    await expect(store.publish(source(small), { service: 'fixture' })).resolves.toMatchObject({ digest: small.digest });
  });

  it('takes over an index lock whose holder is gone, and waits for one that is not', async () => {
    const store = await newStore();
    await store.publish(source(small), { service: 'fixture' });
    const lock = join(store.location, '.work', 'index.lock');
    const host = hostname();
    const since = new Date().toISOString();
    // a pid the kernel has given to another process since (this one, started at another time than the lock says)
    await writeFile(lock, JSON.stringify({ pid: process.pid, started: '1', host, token: 'reused', since }));
    await expect(store.publish(source(small), { service: 'fixture' })).resolves.toMatchObject({ digest: small.digest });
    expect(existsSync(lock)).toBe(false);
    // a lock its creator was killed before writing into (empty), older than the grace period
    await writeFile(lock, '');
    const past = new Date(Date.now() - 60_000);
    await utimes(lock, past, past);
    await expect(store.publish(source(small), { service: 'fixture' })).resolves.toMatchObject({ digest: small.digest });
    expect(existsSync(lock)).toBe(false);
    // a live holder — this very process, as it started — is waited for, never taken over
    const started = processStartTime(process.pid);
    await writeFile(lock, JSON.stringify({ pid: process.pid, started, host, token: 'live', since }));
    await expect(withLockFile(lock, async () => 'taken', 200)).rejects.toThrow(
      `waiting for the lock ${lock}, held by pid ${process.pid} on ${host}`,
    );
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ token: 'live' });
    await rm(lock);
  });

  it('writes index.json atomically: a stray temp file from a killed writer is swept, never read', async () => {
    const store = await newStore();
    await store.publish(source(small), { service: 'fixture' });
    const stray = join(store.location, 'index.json.tmp-999999-deadbeef');
    await writeFile(stray, '{"schemaVersion":2,"manifests":[{"trunc');
    expect((await store.list()).length).toBe(1);
    expect(await store.cleanupStale()).toContain(stray);
  });
});
