/**
 * A real Debian docker-registry on 127.0.0.1, and the registry-backed artifact store against it: push by digest,
 * pull back verified, digests kept end to end.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryArtifactStore } from './registry-store';
import { ArtifactNotFoundError, openArtifactStore } from './store';
import { requireTools, tool } from './containers';
import { sha256Of } from './oci';
import { startRegistry, type RunningRegistry } from './registry';
import { createHandmadeImage, type HandmadeImage } from './testing/fixtures';

const HERE = dirname(fileURLToPath(import.meta.url));
let registry: RunningRegistry;
let image: HandmadeImage;

beforeAll(async () => {
  await requireTools(['docker-registry', 'skopeo', 'umoci']);
  registry = await startRegistry();
  image = await createHandmadeImage({ files: { 'app/main.txt': 'pushed by digest\n' } });
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  await image?.dispose();
});

describe('startRegistry', () => {
  it('serves the OCI distribution API on 127.0.0.1 from a temp root, and stops cleanly', async () => {
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    const response = await fetch(`${registry.url}/v2/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-distribution-api-version')).toBe('registry/2.0');

    const second = await startRegistry();
    expect(second.host).not.toBe(registry.host);
    await second.stop();
    expect(existsSync(second.root)).toBe(false);
    await expect(fetch(`${second.url}/v2/`)).rejects.toThrow();
  });
});

describe('registry artifact store (ARTIFACT_REGISTRY=host:port)', () => {
  it('pushes by digest and pulls back the same bytes, verified', async () => {
    const store = openArtifactStore({ workspaceRoot: '/nonexistent', env: { ARTIFACT_REGISTRY: registry.host } });
    expect(store).toBeInstanceOf(RegistryArtifactStore);
    const published = await store.publish(
      { transport: 'oci', dir: image.dir, ref: 'image' },
      { service: 'fixture', expectedDigest: image.digest },
    );
    expect(published).toEqual({
      digest: image.digest,
      reference: `${registry.host}/musiccorp/fixture@${image.digest}`,
      alreadyPresent: false,
    });

    // The registry serves the manifest under its digest, byte for byte.
    const response = await fetch(`${registry.url}/v2/musiccorp/fixture/manifests/${image.digest}`, {
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('docker-content-digest')).toBe(image.digest);
    expect(sha256Of(Buffer.from(await response.arrayBuffer()))).toBe(image.digest);
    const raw = await tool('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${published.reference}`]);
    expect(sha256Of(raw.stdout)).toBe(image.digest);

    expect(await store.has(image.digest, { service: 'fixture' })).toBe(true);
    expect(await store.has(image.digest)).toBe(true); // found through the catalog
    const verified = await store.verify(image.digest);
    expect(verified.manifest).toEqual(image.manifest);

    const rootfs = await store.materialize(image.digest, { service: 'fixture' });
    try {
      expect(await readFile(join(rootfs.rootfs, 'app', 'main.txt'), 'utf8')).toBe('pushed by digest\n');
    } finally {
      await rootfs.dispose();
    }

    const again = await store.publish(
      { transport: 'oci', dir: image.dir, ref: 'image' },
      { service: 'fixture', expectedDigest: image.digest },
    );
    expect(again.alreadyPresent).toBe(true);
  });

  it('learns the digest from the push when the build could not know it', async () => {
    const store = new RegistryArtifactStore(registry.host);
    const published = await store.publish(
      { transport: 'oci', dir: image.dir, ref: 'image' },
      { service: 'by-tag', gitSha: 'abc1234' },
    );
    expect(published.digest).toBe(image.digest);
    await expect(store.verify(published.digest, { service: 'by-tag' })).resolves.toMatchObject({
      digest: image.digest,
    });
  });

  it('says plainly when a digest is not in the registry', async () => {
    const store = new RegistryArtifactStore(registry.host);
    const unknown = `sha256:${'1'.repeat(64)}`;
    expect(await store.has(unknown, { service: 'fixture' })).toBe(false);
    await expect(store.verify(unknown, { service: 'fixture' })).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.verify(unknown)).rejects.toThrow(/is not in the artifact registry 127\.0\.0\.1:\d+/);
  });

  it('rejects a malformed ARTIFACT_REGISTRY', () => {
    expect(() => openArtifactStore({ workspaceRoot: '/', env: { ARTIFACT_REGISTRY: 'http://x/y' } })).toThrow(
      /must be host:port/,
    );
  });

  it('shows nothing when a push is SIGKILLed midway: the registry publishes a manifest only after all its blobs', async () => {
    const big = await createHandmadeImage({ files: { 'app/big.txt': 'big\n' }, bigFile: process.execPath });
    try {
      const child = execa(
        process.execPath,
        [
          '--import',
          'tsx',
          join(HERE, 'testing', 'publish-child.ts'),
          JSON.stringify({
            registry: registry.host,
            source: { transport: 'oci', dir: big.dir, ref: 'image' },
            service: 'killed',
            expectedDigest: big.digest,
          }),
        ],
        { cwd: HERE, detached: true, reject: false, all: true },
      );
      // Kill once the big layer's upload has started (the registry stages uploads under _uploads/).
      const uploads = join(
        registry.root,
        'data',
        'docker',
        'registry',
        'v2',
        'repositories',
        'musiccorp',
        'killed',
        '_uploads',
      );
      let uploaded = 0;
      const deadline = Date.now() + 30_000;
      while (uploaded === 0) {
        if (child.exitCode !== null)
          throw new Error(`the push ended before it could be killed: ${String((await child).all)}`);
        if (Date.now() > deadline) throw new Error('timed out waiting for the upload to start');
        for (const upload of existsSync(uploads) ? await readdir(uploads) : []) {
          uploaded = Math.max(
            uploaded,
            await stat(join(uploads, upload, 'data')).then(
              (info) => info.size,
              () => 0,
            ),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      process.kill(-child.pid!, 'SIGKILL');
      await child;
      expect(uploaded).toBeLessThan(big.manifest.layers[0]!.size);

      const store = new RegistryArtifactStore(registry.host);
      expect(await store.has(big.digest, { service: 'killed' })).toBe(false);
      await expect(store.verify(big.digest, { service: 'killed' })).rejects.toBeInstanceOf(ArtifactNotFoundError);

      const published = await store.publish(
        { transport: 'oci', dir: big.dir, ref: 'image' },
        { service: 'killed', expectedDigest: big.digest },
      );
      expect(published).toMatchObject({ digest: big.digest, alreadyPresent: false });
      await expect(store.verify(big.digest, { service: 'killed' })).resolves.toMatchObject({ digest: big.digest });
      // The dead push's temp dir was swept.
      expect((await readdir(tmpdir())).filter((entry) => entry.startsWith(`musiccorp-push-${child.pid}-`))).toEqual([]);
    } finally {
      await big.dispose();
    }
  }, 120_000);
});
