/**
 * Test fixtures for the deploy stage: a scratch workspace holding the real environment files and services'
 * package.json (so tests render what production would), and a real artifact — a tiny hand-made OCI image published
 * into the workspace's own artifact store, with the record the artifact stage would write.
 */
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciLayoutArtifactStore } from '@musiccorp/artifact/oci-layout-store';
import { artifactRecordPath, type ArtifactRecord } from '@musiccorp/artifact/build-artifact';
import { createHandmadeImage } from '@musiccorp/artifact/testing/fixtures';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';

export const FIXTURE_GIT_SHA = '0123456789abcdef0123456789abcdef01234567';

export interface DeployWorkspace {
  root: string;
  dispose(): Promise<void>;
}

/** platform/environments/ and each service's package.json and project.json (real files) in a temp dir. */
export async function createDeployWorkspace(services: string[] = ['catalog']): Promise<DeployWorkspace> {
  const root = await mkdtemp(join(tmpdir(), 'musiccorp-deploy-'));
  await cp(join(WORKSPACE_ROOT, 'platform', 'environments'), join(root, 'platform', 'environments'), {
    recursive: true,
  });
  for (const service of services) {
    await mkdir(join(root, 'services', service), { recursive: true });
    for (const file of ['package.json', 'project.json']) {
      await cp(join(WORKSPACE_ROOT, 'services', service, file), join(root, 'services', service, file));
    }
  }
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

export interface FixtureArtifact {
  record: ArtifactRecord;
  store: OciLayoutArtifactStore;
}

/** Publishes a small real image into `<root>/.artifacts/oci` (skopeo) and writes dist/artifacts/<service>/artifact.json. */
export async function publishFixtureArtifact(root: string, service: string, marker = 'v1'): Promise<FixtureArtifact> {
  const image = await createHandmadeImage({ files: { 'app/main.js': `console.log(${JSON.stringify(marker)});\n` } });
  try {
    const store = new OciLayoutArtifactStore(join(root, '.artifacts', 'oci'));
    const published = await store.publish(
      { transport: 'oci', dir: image.dir, ref: 'image' },
      { service, gitSha: FIXTURE_GIT_SHA, expectedDigest: image.digest },
    );
    const record: ArtifactRecord = {
      service,
      gitSha: FIXTURE_GIT_SHA,
      digest: published.digest,
      image: published.reference,
      bundleSha256: '0'.repeat(64),
      baseImage: 'scratch',
      appLayer: {
        digests: image.manifest.layers.map((layer) => layer.digest),
        bytes: image.manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
      },
      store: { kind: 'oci-layout', location: '.artifacts/oci' },
      engine: 'buildah',
    };
    await mkdir(join(artifactRecordPath(root, service), '..'), { recursive: true });
    await writeFile(artifactRecordPath(root, service), `${JSON.stringify(record, null, 2)}\n`);
    return { record, store };
  } finally {
    await image.dispose();
  }
}
