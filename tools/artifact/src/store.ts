/**
 * The artifact store: where the ONE image built for a commit is kept, by digest, until every environment has deployed
 * exactly that image ("build once, deploy everywhere", Building Microservices ch. 7).
 *
 * Two back ends behind one interface, chosen by `openArtifactStore`:
 *  - an OCI image layout directory (default `.artifacts/oci` at the workspace root) — embedded, no server
 *    (oci-layout-store.ts);
 *  - a real OCI registry when `ARTIFACT_REGISTRY=host:port` is set (`host:port/musiccorp/<service>@sha256:…`)
 *    (registry-store.ts).
 *
 * Both re-hash the manifest and every blob on each read (store-base.ts) and make a publish whole or not at all.
 */
import { join, resolve } from 'node:path';
import type { ContainerStorage } from './containers';
import type { OciImageConfig, VerifiedImage } from './oci';
import { OciLayoutArtifactStore } from './oci-layout-store';
import { RegistryArtifactStore } from './registry-store';

export { ArtifactIntegrityError, ArtifactNotFoundError } from './oci';

/** Where an image to publish comes from. */
export type ImageSource =
  | { transport: 'containers-storage'; storage: ContainerStorage; image: string }
  | { transport: 'oci'; dir: string; ref?: string }
  | { transport: 'oci-archive' | 'docker-archive'; path: string };

/** Test seams: called at the named points of a publish (a test blocks in one and SIGKILLs the process). */
export interface PublishHooks {
  /** The image is in the private staging directory, not yet verified. */
  afterCopy?(stagingDir: string): Promise<void> | void;
  /** Holding the index lock, its blobs are in `blobs/sha256/`; the index does not list it yet. */
  afterBlobs?(): Promise<void> | void;
  /** Holding the index lock, before the index is rewritten. */
  whileLocked?(): Promise<void> | void;
}

export interface PublishOptions {
  service: string;
  gitSha?: string;
  /** The manifest digest the build produced: the publish fails if what gets stored has another. */
  expectedDigest?: string;
  hooks?: PublishHooks;
}

export interface PublishResult {
  digest: string;
  /** How to name the stored image: `musiccorp/<service>@sha256:…` (layout) or `host:port/musiccorp/<service>@sha256:…`. */
  reference: string;
  /** True when the store already held this exact image, whole (nothing was written). */
  alreadyPresent: boolean;
  /** Blobs that were in the store but corrupt, and were replaced by good copies. */
  repairedBlobs?: string[];
}

export interface ReadOptions {
  /** The service the image belongs to. The layout store knows it from its index; a registry store needs it or searches its catalog. */
  service?: string;
}

export interface MaterializedImage {
  digest: string;
  /** The directory that holds `rootfs/`; `dispose()` deletes it. */
  dir: string;
  rootfs: string;
  config: OciImageConfig;
  /** The image's working directory as a path on this machine (inside `rootfs`). */
  workdir: string;
  /** Entrypoint + Cmd, e.g. `["node","--enable-source-maps","main.js"]`. */
  command: string[];
  env: Record<string, string>;
  dispose(): Promise<void>;
}

/** An image the store lists. */
export interface StoredImage {
  digest: string;
  service?: string;
  gitSha?: string;
  reference?: string;
  /** Size of its manifest in bytes. */
  size: number;
}

export interface PruneOptions {
  /** Digests something still references, each with where (`deploy/ci/catalog/deployment.yaml`, …): never removed. */
  referenced: ReadonlyMap<string, readonly string[]>;
  /**
   * Also keep each service's newest images, this many (at least 1: the newest is also what a publish running right
   * now has just stored, before any record names it).
   */
  keepNewest: number;
  /** Report what would be removed; delete nothing. */
  dryRun?: boolean;
  /** Test seam: called once the index no longer lists the removed images, before their blobs are deleted. */
  afterIndex?(): Promise<void> | void;
}

export interface PruneResult {
  kept: (StoredImage & { keptBecause: string[] })[];
  removed: StoredImage[];
  /** Blobs no kept image uses (deleted, or in a dry run: would be). */
  removedBlobs: string[];
  freedBytes: number;
  /** Staging directories, views and temp files of killed processes that were swept. */
  leftovers: string[];
}

export interface ArtifactStore {
  readonly kind: 'oci-layout' | 'registry';
  /** The layout directory, or `host:port` of the registry. */
  readonly location: string;
  describe(): string;
  /**
   * How an artifact record written in `workspaceRoot` names this store: a layout directory inside the workspace
   * relative to it (the same record in every checkout), otherwise `location`.
   */
  locationForRecord(workspaceRoot: string): string;
  /** How the record names an image of this store. */
  imageReference(service: string, digest: string): string;
  publish(source: ImageSource, options: PublishOptions): Promise<PublishResult>;
  /** Whether the store lists the image (a cheap check: no hashing). */
  has(digest: string, options?: ReadOptions): Promise<boolean>;
  /** Reads the image and re-hashes every blob of it. */
  verify(digest: string, options?: ReadOptions): Promise<VerifiedImage>;
  /** Unpacks the verified image's layers into a root file system (whiteouts applied), e.g. to run its files with the local node. */
  materialize(digest: string, options?: ReadOptions & { dest?: string }): Promise<MaterializedImage>;
  /** Copies the verified image into a containers/storage (for `podman run`) and returns `localhost/musiccorp/<service>@sha256:…`. */
  loadInto(storage: ContainerStorage, digest: string, options?: ReadOptions): Promise<string>;
  /**
   * Deletes the images nothing references any more and the blobs only they used, safe beside a running publish and
   * whole or not at all per step; a store that cannot do that safely refuses, saying what to do instead.
   */
  prune(options: PruneOptions): Promise<PruneResult>;
}

/** `ARTIFACT_REGISTRY=host:port` selects a registry; otherwise the OCI layout at `ARTIFACT_STORE_DIR` or `<workspace>/.artifacts/oci`. */
export function openArtifactStore(options: { workspaceRoot: string; env?: NodeJS.ProcessEnv }): ArtifactStore {
  const env = options.env ?? process.env;
  const registry = env['ARTIFACT_REGISTRY']?.trim();
  if (registry)
    return new RegistryArtifactStore(registry, { tlsVerify: env['ARTIFACT_REGISTRY_TLS_VERIFY'] === 'true' });
  const dir = env['ARTIFACT_STORE_DIR']?.trim() || join(options.workspaceRoot, '.artifacts', 'oci');
  return new OciLayoutArtifactStore(resolve(options.workspaceRoot, dir));
}
