/**
 * The artifact store: where the ONE image built for a commit is kept, by digest, until every environment has deployed
 * exactly that image ("build once, deploy everywhere", Building Microservices ch. 7).
 *
 * Two back ends behind one interface:
 *  - an OCI image layout directory (default `.artifacts/oci` at the workspace root) — embedded, no server;
 *  - a real OCI registry when `ARTIFACT_REGISTRY=host:port` is set (`host:port/musiccorp/<service>@sha256:…`).
 *
 * Guarantees:
 *  - every READ re-hashes the manifest and each blob it uses; a mismatch throws ArtifactIntegrityError naming the blob
 *    and the fix;
 *  - a publish is whole or not at all: it is copied into a private staging directory beside the store, verified,
 *    fsynced, its blobs hard-linked into `blobs/sha256/` (a blob there is always complete), and only then is the image
 *    added to `index.json` by an atomic rename under a lock. A publish killed at any point leaves no image visible;
 *  - concurrent publishes of the same image store it once (content-addressed blobs linked if absent, index entry
 *    added if absent, under the lock).
 */
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  MEDIA_TYPES,
  REF_NAME,
  assertDigest,
  blobPath,
  fsyncPath,
  isProcessAlive,
  readIndex,
  sha256File,
  verifyLayoutImage,
  withLockFile,
  writeFileAtomic,
  writeFileIfAbsent,
  type Descriptor,
  type OciImageConfig,
  type OciIndex,
  type VerifiedImage,
  type VerifyContext,
} from './oci';
import { inspectImage, storageReference, tool, ToolError, type ContainerStorage } from './containers';

export { ArtifactIntegrityError, ArtifactNotFoundError } from './oci';

/** Where an image to publish comes from. */
export type ImageSource =
  | { transport: 'containers-storage'; storage: ContainerStorage; image: string }
  | { transport: 'oci'; dir: string; ref?: string }
  | { transport: 'oci-archive' | 'docker-archive'; path: string };

export function sourceReference(source: ImageSource): string {
  switch (source.transport) {
    case 'containers-storage':
      return storageReference(source.storage, source.image);
    case 'oci':
      return `oci:${source.dir}${source.ref ? `:${source.ref}` : ''}`;
    default:
      return `${source.transport}:${source.path}`;
  }
}

/** A docker-archive holds a Docker schema 2 image; storing it means converting it, so its digest cannot be kept. */
function canPreserveDigests(source: ImageSource): boolean {
  return source.transport !== 'docker-archive';
}

/** Test seams: called at the named points of a publish (a test blocks in one and SIGKILLs the process). */
export interface PublishHooks {
  /** The image is in the private staging directory, not yet verified. */
  afterCopy?(stagingDir: string): Promise<void> | void;
  /** Its blobs are in `blobs/sha256/`; the index does not list it yet. */
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

export interface ArtifactStore {
  readonly kind: 'oci-layout' | 'registry';
  /** The layout directory, or `host:port` of the registry. */
  readonly location: string;
  describe(): string;
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

const SERVICE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const SERVICE_ANNOTATION = 'io.musiccorp.service';
const REVISION_ANNOTATION = 'org.opencontainers.image.revision';

export function assertService(service: string): void {
  if (!SERVICE_NAME.test(service))
    throw new Error(
      `"${service}" cannot name an image repository: use lowercase letters, digits and single . _ - between them.`,
    );
}

/** Deletes the registry store's temp dirs (`musiccorp-push|pull-<pid>-…`) left by processes that died. */
async function sweepDeadTempDirs(): Promise<void> {
  for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
    const match = /^musiccorp-(?:push|pull)-(\d+)-/.exec(entry);
    if (match && !isProcessAlive(Number(match[1]))) await rm(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/** A single-image OCI layout holding only verified bytes, private to one read. */
interface View {
  dir: string;
  image: VerifiedImage;
  service?: string;
}

abstract class BaseArtifactStore implements ArtifactStore {
  abstract readonly kind: 'oci-layout' | 'registry';
  abstract readonly location: string;
  abstract describe(): string;
  abstract imageReference(service: string, digest: string): string;
  abstract publish(source: ImageSource, options: PublishOptions): Promise<PublishResult>;
  abstract has(digest: string, options?: ReadOptions): Promise<boolean>;
  /** Opens a view of the image, verified; the caller must dispose it with `closeView`. */
  protected abstract openView(digest: string, options: ReadOptions): Promise<View>;

  protected async closeView(view: View): Promise<void> {
    await rm(view.dir, { recursive: true, force: true });
  }

  protected async withView<T>(digest: string, options: ReadOptions, fn: (view: View) => Promise<T>): Promise<T> {
    assertDigest(digest);
    const view = await this.openView(digest, options);
    try {
      return await fn(view);
    } finally {
      await this.closeView(view);
    }
  }

  async verify(digest: string, options: ReadOptions = {}): Promise<VerifiedImage> {
    return this.withView(digest, options, async (view) => view.image);
  }

  async materialize(digest: string, options: ReadOptions & { dest?: string } = {}): Promise<MaterializedImage> {
    return this.withView(digest, options, async (view) => {
      const dir = options.dest ? resolve(options.dest) : await mkdtemp(join(tmpdir(), 'musiccorp-rootfs-'));
      await mkdir(dir, { recursive: true });
      const rootfs = join(dir, 'rootfs');
      // umoci applies whiteouts and refuses paths that escape the root (symlink tricks); it also checks digests again.
      const rootless = typeof process.getuid === 'function' && process.getuid() !== 0 ? ['--rootless'] : [];
      try {
        await tool('umoci', ['raw', 'unpack', ...rootless, '--image', `${view.dir}:image`, rootfs]);
      } catch (error) {
        if (!options.dest) await rm(dir, { recursive: true, force: true });
        throw error;
      }
      const config = view.image.config;
      const env = Object.fromEntries(
        (config.config?.Env ?? []).map((entry) => {
          const at = entry.indexOf('=');
          return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
        }),
      );
      return {
        digest,
        dir,
        rootfs,
        config,
        workdir: join(rootfs, config.config?.WorkingDir || '/'),
        command: [...(config.config?.Entrypoint ?? []), ...(config.config?.Cmd ?? [])],
        env,
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    });
  }

  async loadInto(storage: ContainerStorage, digest: string, options: ReadOptions = {}): Promise<string> {
    return this.withView(digest, options, async (view) => {
      const name = `localhost/musiccorp/${view.service ?? options.service ?? 'artifact'}@${digest}`;
      await tool('skopeo', [
        'copy',
        '--quiet',
        '--preserve-digests',
        `oci:${view.dir}:image`,
        storageReference(storage, name),
      ]);
      const loaded = await inspectImage(storage, name);
      if (loaded?.digest !== digest) {
        throw new Error(
          `Loading ${digest} into ${storage.root} gave ${loaded?.digest ?? 'no image'}: the copy changed the image.`,
        );
      }
      return name;
    });
  }
}

/**
 * The embedded store: an OCI image layout directory. Besides the standard `oci-layout`, `index.json` and
 * `blobs/sha256/`, it keeps a `.work/` folder for staging directories, read views and the index lock; a tool that reads
 * OCI layouts ignores it.
 */
export class OciLayoutArtifactStore extends BaseArtifactStore {
  readonly kind = 'oci-layout' as const;
  readonly location: string;
  private readonly workDir: string;
  private readonly lockPath: string;

  constructor(dir: string) {
    super();
    this.location = resolve(dir);
    this.workDir = join(this.location, '.work');
    this.lockPath = join(this.workDir, 'index.lock');
  }

  describe(): string {
    return `artifact store ${this.location}`;
  }

  imageReference(service: string, digest: string): string {
    return `musiccorp/${service}@${digest}`;
  }

  private verifyContext(): VerifyContext {
    return {
      storeLabel: this.describe(),
      location: (blob) => blobPath(this.location, blob),
      fix: (path) =>
        `Delete it (rm -f ${path}) and re-run the artifact stage for this service: the next publish of the image writes a good copy of every missing or corrupt blob.`,
    };
  }

  private async ensureLayout(): Promise<void> {
    await mkdir(join(this.location, 'blobs', 'sha256'), { recursive: true });
    await mkdir(this.workDir, { recursive: true });
    await writeFileIfAbsent(join(this.location, 'oci-layout'), `${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`);
    const empty: OciIndex = { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [] };
    await writeFileIfAbsent(join(this.location, 'index.json'), JSON.stringify(empty));
  }

  /** Removes staging directories, views and temp files left by processes that died (a killed publish). */
  async cleanupStale(): Promise<string[]> {
    const removed: string[] = [];
    const sweep = async (dir: string, pattern: RegExp) => {
      const entries = await readdir(dir).catch(() => [] as string[]);
      for (const entry of entries) {
        const match = pattern.exec(entry);
        if (!match || isProcessAlive(Number(match[1]))) continue;
        await rm(join(dir, entry), { recursive: true, force: true });
        removed.push(join(dir, entry));
      }
    };
    await sweep(this.workDir, /^(?:publish|view)-(\d+)-/);
    await sweep(this.location, /^index\.json\.tmp-(\d+)-/);
    return removed;
  }

  async list(): Promise<{ digest: string; service?: string; gitSha?: string; reference?: string; size: number }[]> {
    const index = await readIndex(this.location).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return { schemaVersion: 2, manifests: [] } as OciIndex;
      throw error;
    });
    return index.manifests.map((entry) => ({
      digest: entry.digest,
      size: entry.size,
      service: entry.annotations?.[SERVICE_ANNOTATION],
      gitSha: entry.annotations?.[REVISION_ANNOTATION],
      reference: entry.annotations?.[REF_NAME],
    }));
  }

  private async indexEntry(digest: string): Promise<Descriptor | undefined> {
    const index = await readIndex(this.location).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return index?.manifests.find((entry) => entry.digest === digest);
  }

  async has(digest: string): Promise<boolean> {
    assertDigest(digest);
    return (await this.indexEntry(digest)) !== undefined;
  }

  protected async openView(digest: string): Promise<View> {
    const entry = await this.indexEntry(digest);
    if (!entry) {
      throw new ArtifactNotFoundError(
        `Image ${digest} is not in the ${this.describe()}. Run the artifact stage (buildArtifact) for its service to build and publish it.`,
        digest,
      );
    }
    await mkdir(this.workDir, { recursive: true });
    const dir = await mkdtemp(join(this.workDir, `view-${process.pid}-`));
    try {
      await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
      await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
      const linkBlob = async (blob: string) => {
        await link(blobPath(this.location, blob), blobPath(dir, blob)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT' && error.code !== 'EEXIST') throw error; // a missing blob is reported by the verification
        });
      };
      // Hard links pin the very inodes that get verified, so what is read afterwards is what was checked.
      await linkBlob(digest);
      let blobs: string[] = [];
      try {
        const manifest = JSON.parse(await readFile(blobPath(dir, digest), 'utf8')) as {
          config?: Descriptor;
          layers?: Descriptor[];
        };
        blobs = [manifest.config?.digest, ...(manifest.layers ?? []).map((layer) => layer.digest)].filter(
          (blob): blob is string => typeof blob === 'string' && /^sha256:[a-f0-9]{64}$/.test(blob),
        );
      } catch {
        // unreadable manifest: the verification below says what is wrong with it
      }
      for (const blob of new Set(blobs)) await linkBlob(blob);
      const image = await verifyLayoutImage(dir, digest, this.verifyContext());
      const index: OciIndex = {
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.index,
        manifests: [{ mediaType: entry.mediaType, digest, size: entry.size, annotations: { [REF_NAME]: 'image' } }],
      };
      await writeFile(join(dir, 'index.json'), JSON.stringify(index));
      return { dir, image, service: entry.annotations?.[SERVICE_ANNOTATION] };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  async publish(source: ImageSource, options: PublishOptions): Promise<PublishResult> {
    assertService(options.service);
    if (options.expectedDigest) assertDigest(options.expectedDigest);
    await this.ensureLayout();
    await this.cleanupStale();

    // Already stored and intact: nothing to write. (Damaged: fall through, the publish below repairs it.)
    if (options.expectedDigest && (await this.has(options.expectedDigest))) {
      try {
        await this.verify(options.expectedDigest);
        return {
          digest: options.expectedDigest,
          reference: this.imageReference(options.service, options.expectedDigest),
          alreadyPresent: true,
        };
      } catch (error) {
        if (!(error instanceof ArtifactIntegrityError)) throw error;
      }
    }

    const staging = await mkdtemp(join(this.workDir, `publish-${process.pid}-`));
    try {
      const layout = join(staging, 'layout');
      await tool('skopeo', [
        'copy',
        '--quiet',
        ...(canPreserveDigests(source) ? ['--preserve-digests'] : ['--dest-oci-accept-uncompressed-layers']),
        sourceReference(source),
        `oci:${layout}:image`,
      ]);
      await options.hooks?.afterCopy?.(staging);

      const staged = await readIndex(layout);
      const descriptor = staged.manifests[0];
      if (staged.manifests.length !== 1 || !descriptor)
        throw new Error(`skopeo wrote ${staged.manifests.length} manifests for one image into ${layout}.`);
      const digest = descriptor.digest;
      if (options.expectedDigest && digest !== options.expectedDigest) {
        throw new Error(
          `Publishing ${sourceReference(source)} stored ${digest}, not the built ${options.expectedDigest}: the copy changed the image, so it is not the artifact that was built.`,
        );
      }
      const image = await verifyLayoutImage(layout, digest, {
        storeLabel: `staging copy ${layout}`,
        fix: () => 'The source image changed or the disk is failing; re-run the artifact stage.',
      });

      // Durable before visible: every staged blob on disk, then linked into blobs/ (a blob there is always whole).
      const blobs = [...new Set([digest, image.manifest.config.digest, ...image.layers.map((layer) => layer.digest)])];
      for (const blob of blobs) await fsyncPath(blobPath(layout, blob));
      const placed = new Map<string, 'linked' | 'present' | 'repaired'>();
      for (const blob of blobs) placed.set(blob, await this.placeBlob(blobPath(layout, blob), blob));
      await fsyncPath(join(this.location, 'blobs', 'sha256'));
      await options.hooks?.afterBlobs?.();

      const indexed = await withLockFile(this.lockPath, async () => {
        await options.hooks?.whileLocked?.();
        const index = await readIndex(this.location);
        if (index.manifests.some((entry) => entry.digest === digest)) return true;
        const annotations: Record<string, string> = {
          [REF_NAME]: this.imageReference(options.service, digest),
          [SERVICE_ANNOTATION]: options.service,
          ...(options.gitSha ? { [REVISION_ANNOTATION]: options.gitSha } : {}),
        };
        index.manifests.push({
          mediaType: descriptor.mediaType ?? MEDIA_TYPES.manifest,
          digest,
          size: descriptor.size,
          annotations,
        });
        await writeFileAtomic(join(this.location, 'index.json'), JSON.stringify(index));
        return false;
      });
      const repairedBlobs = [...placed].filter(([, how]) => how === 'repaired').map(([blob]) => blob);
      return {
        digest,
        reference: this.imageReference(options.service, digest),
        alreadyPresent: indexed && [...placed.values()].every((how) => how === 'present'),
        ...(repairedBlobs.length ? { repairedBlobs } : {}),
      };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Puts a verified staged blob into `blobs/sha256/` if absent; replaces a corrupt copy (rename is atomic). */
  private async placeBlob(staged: string, digest: string): Promise<'linked' | 'present' | 'repaired'> {
    const target = blobPath(this.location, digest);
    await chmod(staged, 0o444);
    try {
      await link(staged, target);
      return 'linked';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const existing = await sha256File(target).catch(() => undefined);
    if (existing?.digest === digest) return 'present'; // stored already (by an earlier or a concurrent publish)
    await rename(staged, target);
    return 'repaired';
  }

  /** `relative` path of the store from a root, for records (deterministic across checkouts). */
  relativeTo(root: string): string {
    const path = relative(root, this.location);
    return path.startsWith('..') ? this.location : path;
  }
}

/**
 * A real OCI registry (`host:port`), e.g. the Debian `docker-registry`. Images go to `host:port/musiccorp/<service>`,
 * pushed BY DIGEST (no mutable tag). The registry itself makes a manifest visible only after all its blobs arrived and
 * matched their digests, so a killed push leaves nothing visible; reads pull into a private layout and re-hash it.
 */
export class RegistryArtifactStore extends BaseArtifactStore {
  readonly kind = 'registry' as const;
  readonly location: string;
  private readonly tlsVerify: boolean;
  private readonly namespace: string;

  constructor(hostPort: string, options: { tlsVerify?: boolean; namespace?: string } = {}) {
    super();
    if (!/^[A-Za-z0-9.-]+(?::\d+)?$/.test(hostPort))
      throw new Error(`ARTIFACT_REGISTRY must be host:port, got "${hostPort}".`);
    this.location = hostPort;
    this.tlsVerify = options.tlsVerify ?? false;
    this.namespace = options.namespace ?? 'musiccorp';
  }

  describe(): string {
    return `artifact registry ${this.location}`;
  }

  private repository(service: string): string {
    return `${this.location}/${this.namespace}/${service}`;
  }

  imageReference(service: string, digest: string): string {
    return `${this.repository(service)}@${digest}`;
  }

  private get baseUrl(): string {
    return `${this.tlsVerify ? 'https' : 'http'}://${this.location}`;
  }

  private async manifestExists(service: string, digest: string): Promise<boolean> {
    const response = await fetch(`${this.baseUrl}/v2/${this.namespace}/${service}/manifests/${digest}`, {
      method: 'HEAD',
      headers: { accept: [MEDIA_TYPES.manifest, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.index].join(', ') },
    });
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw new Error(`${this.describe()}: HEAD manifest ${digest} answered ${response.status}.`);
  }

  /** The service whose repository holds the digest, from the registry's catalog. */
  private async findService(digest: string): Promise<string | undefined> {
    // Paged: the registry caps `n` (distribution: 1000) and links the next page.
    let next: string | undefined = `/v2/_catalog?n=100`;
    while (next) {
      const response: Response = await fetch(`${this.baseUrl}${next}`);
      if (!response.ok)
        throw new Error(`${this.describe()}: GET ${next} answered ${response.status}; pass the service name.`);
      const { repositories = [] } = (await response.json()) as { repositories?: string[] };
      for (const repository of repositories) {
        if (!repository.startsWith(`${this.namespace}/`)) continue;
        const service = repository.slice(this.namespace.length + 1);
        if (await this.manifestExists(service, digest)) return service;
      }
      next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    return undefined;
  }

  async has(digest: string, options: ReadOptions = {}): Promise<boolean> {
    assertDigest(digest);
    if (options.service) return this.manifestExists(options.service, digest);
    return (await this.findService(digest)) !== undefined;
  }

  async publish(source: ImageSource, options: PublishOptions): Promise<PublishResult> {
    assertService(options.service);
    const expected = options.expectedDigest;
    if (expected) {
      assertDigest(expected);
      if (await this.manifestExists(options.service, expected))
        return { digest: expected, reference: this.imageReference(options.service, expected), alreadyPresent: true };
    }
    await sweepDeadTempDirs();
    const work = await mkdtemp(join(tmpdir(), `musiccorp-push-${process.pid}-`));
    try {
      const digestFile = join(work, 'digest');
      // By digest when it is known (no tag to move); a docker-archive is converted, so its digest is known only after.
      const destination = expected
        ? this.imageReference(options.service, expected)
        : `${this.repository(options.service)}:git-${options.gitSha ?? 'unknown'}`;
      await tool('skopeo', [
        'copy',
        '--quiet',
        ...(canPreserveDigests(source) ? ['--preserve-digests'] : []),
        `--dest-tls-verify=${this.tlsVerify}`,
        '--digestfile',
        digestFile,
        sourceReference(source),
        `docker://${destination}`,
      ]);
      const digest = (await readFile(digestFile, 'utf8')).trim();
      if (expected && digest !== expected)
        throw new Error(`Pushing to ${destination} stored ${digest}, not the built ${expected}.`);
      return { digest, reference: this.imageReference(options.service, digest), alreadyPresent: false };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  protected async openView(digest: string, options: ReadOptions): Promise<View> {
    const service = options.service ?? (await this.findService(digest));
    if (!service || !(await this.manifestExists(service, digest))) {
      throw new ArtifactNotFoundError(
        `Image ${digest} is not in the ${this.describe()}${service ? ` under ${this.namespace}/${service}` : ''}. Run the artifact stage for its service to build and publish it.`,
        digest,
      );
    }
    await sweepDeadTempDirs();
    const dir = await mkdtemp(join(tmpdir(), `musiccorp-pull-${process.pid}-`));
    const reference = this.imageReference(service, digest);
    try {
      // skopeo checks each blob against its digest as it downloads; the layout is then hashed again, whole.
      await tool('skopeo', [
        'copy',
        '--quiet',
        '--preserve-digests',
        `--src-tls-verify=${this.tlsVerify}`,
        `docker://${reference}`,
        `oci:${dir}:image`,
      ]).catch((error: unknown) => {
        if (error instanceof ToolError && /digest|checksum/i.test(error.stderr)) {
          throw new ArtifactIntegrityError(
            `${this.describe()}: ${reference} does not match its digests: ${error.stderr}. Delete the image from the registry and re-run the artifact stage.`,
            digest,
            reference,
          );
        }
        throw error;
      });
      const image = await verifyLayoutImage(dir, digest, {
        storeLabel: this.describe(),
        location: (blob) => `${this.baseUrl}/v2/${this.namespace}/${service}/blobs/${blob}`,
        fix: () => 'Delete the image from the registry (or repair its storage) and re-run the artifact stage.',
      });
      return { dir, image, service };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }
}
