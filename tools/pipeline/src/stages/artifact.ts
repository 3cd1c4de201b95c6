/**
 * The artifact stage (Nx target `artifact`, after `build`): ONE image from the service's Dockerfile, built
 * reproducibly and stored by digest, and its record `dist/artifacts/<service>/artifact.json` — the Nx output that
 * every later stage reads. The base image is BASE_IMAGE (or --base-image) when set, else the local air-gapped Node base
 * (built once per build storage; the Dockerfile's public default is not reachable from the build machines).
 */
import { join } from 'node:path';
import { headCommit } from '@musiccorp/core/git';
import { openArtifactStore } from '@musiccorp/artifact/store';
import { buildArtifact, describeRecord } from '@musiccorp/artifact/build-artifact';
import { requireTools } from '@musiccorp/artifact/containers';
import { withLockFile } from '@musiccorp/artifact/oci';
import { ensureBaseImage } from '@musiccorp/artifact/base-image/base-image';
import { buildStorage } from '../storage';

export interface ArtifactStageOptions {
  workspaceRoot: string;
  service: string;
  baseImage?: string;
  /** org.opencontainers.image.source of the image (SOURCE_URL); part of the image, so of its digest. */
  sourceUrl?: string;
}

export async function artifactStage(options: ArtifactStageOptions): Promise<number> {
  const { workspaceRoot, service } = options;
  await requireTools(['buildah', 'skopeo']);
  const storage = buildStorage(workspaceRoot);
  const gitSha = headCommit(workspaceRoot);
  let baseImage = options.baseImage;
  if (!baseImage) {
    // Two services' artifact stages start together on a fresh machine: build the base image once, not twice.
    const base = await withLockFile(join(storage.root, '..', 'base-image.lock'), () => ensureBaseImage({ storage }));
    console.log(`base image ${base.name}@${base.digest} (${base.reused ? 'reused' : 'built'})`);
    baseImage = base.name;
  }
  const store = openArtifactStore({ workspaceRoot });
  const record = await buildArtifact({
    workspaceRoot,
    serviceRoot: join(workspaceRoot, 'services', service),
    service,
    gitSha,
    baseImage,
    store,
    storage,
    ...(options.sourceUrl ? { buildArgs: { SOURCE_URL: options.sourceUrl } } : {}),
  });
  console.log(`${record.image}`);
  console.log(
    `built from git ${gitSha.slice(0, 12)}, stored in the ${store.describe()}; wrote ${describeRecord(workspaceRoot, service)}`,
  );
  return 0;
}
