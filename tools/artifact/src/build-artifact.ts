/**
 * The artifact stage: build the service's image ONCE, store it by digest, and write the record every later stage
 * deploys from — `dist/artifacts/<service>/artifact.json` at the workspace root:
 *
 *   { "service", "gitSha", "digest": "sha256:…", "image", "bundleSha256", "baseImage", "appLayer", "store", "engine" }
 *
 * The record is deterministic (no times, no temp paths): the same commit gives the same bytes. Timings go to
 * `build-metrics.json` beside it.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { workspaceStorage, type ContainerStorage } from './containers';
import { buildImage, type BuildEngine } from './image-build';
import { writeFileAtomic } from './oci';
import type { ArtifactStore } from './store';
import { assertService } from './store-base';

export interface ArtifactRecord {
  service: string;
  gitSha: string;
  /** The image's manifest digest: its identity in every store, registry and runtime. */
  digest: string;
  /** How to name it in its store: `musiccorp/<service>@sha256:…` (OCI layout) or `host:port/musiccorp/<service>@sha256:…`. */
  image: string;
  /** sha256 (hex) of `dist/main.js`, the bundle inside the image. */
  bundleSha256: string;
  /** `name@sha256:…` of the base image it was built on. */
  baseImage: string;
  /** The layer(s) the Dockerfile added on top of the base: `COPY dist/ /app/`. */
  appLayer: { digests: string[]; bytes: number };
  store: { kind: ArtifactStore['kind']; location: string };
  engine: BuildEngine;
}

export interface BuildArtifactOptions {
  workspaceRoot: string;
  /** The service folder, with `Dockerfile` and a built `dist/main.js`. */
  serviceRoot: string;
  service: string;
  gitSha: string;
  /** The name `FROM ${BASE_IMAGE}` resolves to, e.g. `localhost/musiccorp/node-base:20.20.2` (in `storage`). */
  baseImage: string;
  store: ArtifactStore;
  /** The build storage; default `<workspaceRoot>/.artifacts/containers`. */
  storage?: ContainerStorage;
  engine?: BuildEngine | 'auto';
  /** More build args for the Dockerfile, e.g. `{ SOURCE_URL }` (BASE_IMAGE and GIT_SHA are always passed). */
  buildArgs?: Record<string, string>;
  /** Keep the built image tagged `localhost/musiccorp/<service>:<gitSha>` in the build storage (default: untag it, the store has it). */
  keepImage?: boolean;
}

export interface BuildMetrics {
  service: string;
  engine: BuildEngine;
  buildMs: number;
  publishMs: number;
  verifyMs: number;
  appLayerBytes: number;
  alreadyPresent: boolean;
}

export function artifactRecordPath(workspaceRoot: string, service: string): string {
  return join(resolve(workspaceRoot), 'dist', 'artifacts', service, 'artifact.json');
}

export async function readArtifactRecord(workspaceRoot: string, service: string): Promise<ArtifactRecord> {
  return JSON.parse(await readFile(artifactRecordPath(workspaceRoot, service), 'utf8')) as ArtifactRecord;
}

export async function buildArtifact(options: BuildArtifactOptions): Promise<ArtifactRecord> {
  assertService(options.service);
  const workspaceRoot = resolve(options.workspaceRoot);
  const serviceRoot = resolve(options.serviceRoot);
  const bundle = join(serviceRoot, 'dist', 'main.js');
  if (!existsSync(bundle))
    throw new Error(`${bundle} does not exist: build the service first (npx nx build ${options.service}).`);
  const bundleSha256 = createHash('sha256')
    .update(await readFile(bundle))
    .digest('hex');
  const storage = options.storage ?? workspaceStorage(workspaceRoot);

  const built = await buildImage({
    contextDir: serviceRoot,
    service: options.service,
    gitSha: options.gitSha,
    baseImage: options.baseImage,
    storage,
    engine: options.engine ?? 'auto',
    ...(options.buildArgs ? { buildArgs: options.buildArgs } : {}),
  });
  try {
    let started = performance.now();
    const published = await options.store.publish(built.source, {
      service: options.service,
      gitSha: options.gitSha,
      ...(built.digest ? { expectedDigest: built.digest } : {}),
    });
    const publishMs = performance.now() - started;

    // Read it back the way every later stage will: verified, blob by blob.
    started = performance.now();
    const stored = await options.store.verify(published.digest, { service: options.service });
    const verifyMs = performance.now() - started;
    const appLayers = stored.layers.slice(built.baseLayerCount);

    const record: ArtifactRecord = {
      service: options.service,
      gitSha: options.gitSha,
      digest: published.digest,
      image: options.store.imageReference(options.service, published.digest),
      bundleSha256,
      baseImage: built.baseImage.digest ? `${built.baseImage.name}@${built.baseImage.digest}` : built.baseImage.name,
      appLayer: {
        digests: appLayers.map((layer) => layer.digest),
        bytes: appLayers.reduce((sum, layer) => sum + layer.size, 0),
      },
      store: { kind: options.store.kind, location: options.store.locationForRecord(workspaceRoot) },
      engine: built.engine,
    };
    const metrics: BuildMetrics = {
      service: options.service,
      engine: built.engine,
      buildMs: Math.round(built.buildMs),
      publishMs: Math.round(publishMs),
      verifyMs: Math.round(verifyMs),
      appLayerBytes: record.appLayer.bytes,
      alreadyPresent: published.alreadyPresent,
    };
    const recordPath = artifactRecordPath(workspaceRoot, options.service);
    await mkdir(join(recordPath, '..'), { recursive: true });
    await writeFileAtomic(recordPath, `${JSON.stringify(record, null, 2)}\n`);
    await writeFileAtomic(join(recordPath, '..', 'build-metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
    return record;
  } finally {
    if (options.keepImage) await built.keep();
    await built.dispose();
  }
}

/** The record's path relative to the workspace (for logs). */
export function describeRecord(workspaceRoot: string, service: string): string {
  return relative(resolve(workspaceRoot), artifactRecordPath(workspaceRoot, service));
}
