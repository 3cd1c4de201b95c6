/**
 * The embedded artifact store: an OCI image layout directory (default `.artifacts/oci` at the workspace root), no server.
 *
 * Guarantees:
 *  - every READ re-hashes the manifest and each blob it uses; a mismatch throws ArtifactIntegrityError naming the blob
 *    and the fix;
 *  - a publish is whole or not at all: it is copied into a private staging directory beside the store, verified,
 *    fsynced, then under the index lock its blobs are hard-linked into `blobs/sha256/` (a blob there is always
 *    complete) and only then is the image added to `index.json` by an atomic rename. A publish killed at any point
 *    leaves no image visible;
 *  - concurrent publishes of the same image store it once (content-addressed blobs linked if absent, index entry
 *    added if absent, under the lock);
 *  - `index.json` lists images in the order they were last published, oldest first; `prune` deletes, under the same
 *    lock, the images nothing references beyond each service's newest few, then the blobs no listed image uses.
 */
import { existsSync } from 'node:fs';
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
  LayoutFileError,
  readIndex,
  readLayoutFile,
  sha256File,
  sha256Of,
  verifyLayoutImage,
  withLockFile,
  writeFileAtomic,
  writeFileIfAbsent,
  type Descriptor,
  type OciIndex,
  type OciManifest,
  type VerifyContext,
} from './oci';
import { tool } from './containers';
import type { ImageSource, PruneOptions, PruneResult, PublishOptions, PublishResult, StoredImage } from './store';
import {
  artifactCommand,
  assertService,
  BaseArtifactStore,
  canPreserveDigests,
  sourceReference,
  type View,
} from './store-base';

const SERVICE_ANNOTATION = 'io.musiccorp.service';
const OCI_LAYOUT_FILE = `${JSON.stringify({ imageLayoutVersion: '1.0.0' })}\n`;
const REVISION_ANNOTATION = 'org.opencontainers.image.revision';

function storedImage(entry: Descriptor): StoredImage {
  return {
    digest: entry.digest,
    size: entry.size,
    service: entry.annotations?.[SERVICE_ANNOTATION],
    gitSha: entry.annotations?.[REVISION_ANNOTATION],
    reference: entry.annotations?.[REF_NAME],
  };
}

/** The last `count` index entries of each service: its newest images. */
function newestPerService(entries: Descriptor[], count: number): Set<Descriptor> {
  const seen = new Map<string | undefined, number>();
  const newest = new Set<Descriptor>();
  for (const entry of [...entries].reverse()) {
    const service = entry.annotations?.[SERVICE_ANNOTATION];
    const n = seen.get(service) ?? 0;
    if (n < count) newest.add(entry);
    seen.set(service, n + 1);
  }
  return newest;
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

  locationForRecord(workspaceRoot: string): string {
    const path = relative(workspaceRoot, this.location);
    return path.startsWith('..') ? this.location : path;
  }

  imageReference(service: string, digest: string): string {
    return `musiccorp/${service}@${digest}`;
  }

  /**
   * Verified reads name a bad blob's file and the command that repairs it: the artifact stage without the Nx cache,
   * because a cached run replays its record and publishes nothing, while a publish writes a good copy of every
   * missing or corrupt blob.
   */
  private verifyContext(service: string | undefined): VerifyContext {
    return {
      storeLabel: this.describe(),
      location: (blob) => blobPath(this.location, blob),
      fix: (path) =>
        `Delete it (rm -f ${path}) and re-run the artifact stage for this service, past the Nx cache (a cached run publishes nothing): ${artifactCommand(service)}. The publish writes a good copy of every missing or corrupt blob.`,
    };
  }

  /** Reads index.json; a damaged one names its file and how to rebuild the list it held. */
  private readIndex(): Promise<OciIndex> {
    const path = join(this.location, 'index.json');
    return readIndex(
      this.location,
      `It lists the stored images, whose blobs stay in blobs/sha256/: move it aside (mv ${path} ${path}.damaged), then publish again each image the store must hold, past the Nx cache: npx nx run-many -t artifact --skip-nx-cache (or ${artifactCommand(undefined)} for one service).`,
    );
  }

  private async ensureLayout(): Promise<void> {
    await mkdir(join(this.location, 'blobs', 'sha256'), { recursive: true });
    await mkdir(this.workDir, { recursive: true });
    await writeFileIfAbsent(join(this.location, 'oci-layout'), OCI_LAYOUT_FILE);
    await this.checkLayoutFile();
    const empty: OciIndex = { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [] };
    await writeFileIfAbsent(join(this.location, 'index.json'), JSON.stringify(empty));
  }

  /**
   * `oci-layout` marks the folder an OCI image layout for every tool that reads it (skopeo, umoci, the consumer of a
   * workflow artifact); a damaged one is refused with the command that writes it again.
   */
  private async checkLayoutFile(): Promise<void> {
    const path = join(this.location, 'oci-layout');
    const text = await readLayoutFile(path);
    let version: unknown;
    try {
      version = (JSON.parse(text) as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion;
    } catch {
      // not JSON: refused below
    }
    if (version !== '1.0.0') {
      throw new LayoutFileError(
        `${path} is not an OCI layout marker (${JSON.stringify(text.slice(0, 60))}; expected {"imageLayoutVersion":"1.0.0"}). Write it again: printf '%s\\n' '{"imageLayoutVersion":"1.0.0"}' > ${path}`,
        path,
      );
    }
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

  /**
   * Deletes, under the index lock, every image neither referenced nor among its service's `keepNewest` newest, then
   * every blob no kept image uses. The index is rewritten first (atomically), so an interrupted prune leaves only
   * unused blobs behind, which the next prune deletes.
   */
  async prune(options: PruneOptions): Promise<PruneResult> {
    const { keepNewest } = options;
    if (!Number.isInteger(keepNewest) || keepNewest < 1)
      throw new Error(
        `keepNewest must be a whole number of at least 1, got ${keepNewest}: a service's newest image may be one a publish has just stored.`,
      );
    const result: PruneResult = { kept: [], removed: [], removedBlobs: [], freedBytes: 0, leftovers: [] };
    if (!existsSync(join(this.location, 'index.json'))) return result; // nothing was ever published here
    if (!options.dryRun) result.leftovers = await this.cleanupStale();
    return withLockFile(this.lockPath, async () => {
      const index = await this.readIndex();
      const newest = newestPerService(index.manifests, keepNewest);
      const keptEntries: Descriptor[] = [];
      for (const entry of index.manifests) {
        const image = storedImage(entry);
        const keptBecause = [...(options.referenced.get(entry.digest) ?? [])];
        if (newest.has(entry)) keptBecause.push(`one of the ${keepNewest} newest of ${image.service ?? 'no service'}`);
        if (keptBecause.length === 0) {
          result.removed.push(image);
          continue;
        }
        keptEntries.push(entry);
        result.kept.push({ ...image, keptBecause });
      }
      // What the kept images use; one whose manifest cannot be read stops the prune before anything is deleted.
      const used = new Set<string>();
      for (const image of result.kept) for (const blob of await this.blobsOf(image)) used.add(blob);
      const blobsDir = join(this.location, 'blobs', 'sha256');
      for (const name of (await readdir(blobsDir)).sort()) {
        if (!/^[a-f0-9]{64}$/.test(name) || used.has(`sha256:${name}`)) continue;
        result.removedBlobs.push(`sha256:${name}`);
        result.freedBytes += (await stat(join(blobsDir, name))).size;
      }
      if (options.dryRun) return result;

      if (result.removed.length > 0)
        await writeFileAtomic(join(this.location, 'index.json'), JSON.stringify({ ...index, manifests: keptEntries }));
      await options.afterIndex?.();
      for (const blob of result.removedBlobs) await rm(blobPath(this.location, blob), { force: true });
      if (result.removedBlobs.length > 0) await fsyncPath(blobsDir);
      return result;
    });
  }

  /** The blobs a listed image uses — manifest, config, layers — read from its manifest (re-hashed first). */
  private async blobsOf(image: StoredImage): Promise<string[]> {
    const path = blobPath(this.location, image.digest);
    const bytes = await readFile(path).catch(() => undefined);
    let manifest: Partial<OciManifest> | undefined;
    try {
      if (bytes && sha256Of(bytes) === image.digest) manifest = JSON.parse(bytes.toString('utf8')) as OciManifest;
    } catch {
      // not JSON: reported below
    }
    const config = manifest?.config?.digest;
    if (!config || !Array.isArray(manifest?.layers)) {
      const service = image.service ?? '<service>';
      throw new Error(
        `${this.describe()}: the manifest of ${image.digest} (${service}), an image to keep, is missing or corrupt (${path}), so which blobs it uses is unknown; nothing was pruned. ` +
          `Publish it again (${artifactCommand(service)}), then prune again.`,
      );
    }
    return [image.digest, config, ...manifest.layers.map((layer) => layer.digest)];
  }

  /**
   * Holding the index lock: makes a listed image its service's newest, i.e. moves it after that service's other
   * images (the index lists them in the order they were last published). False when the index does not list it.
   */
  private async makeNewest(digest: string): Promise<boolean> {
    const index = await this.readIndex();
    const at = index.manifests.findIndex((entry) => entry.digest === digest);
    const entry = index.manifests[at];
    if (!entry) return false;
    const service = entry.annotations?.[SERVICE_ANNOTATION];
    if (index.manifests.slice(at + 1).some((other) => other.annotations?.[SERVICE_ANNOTATION] === service)) {
      index.manifests.splice(at, 1);
      index.manifests.push(entry);
      await writeFileAtomic(join(this.location, 'index.json'), JSON.stringify(index));
    }
    return true;
  }

  async list(): Promise<StoredImage[]> {
    const index = await this.readIndex().catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return { schemaVersion: 2, manifests: [] } as OciIndex;
      throw error;
    });
    return index.manifests.map(storedImage);
  }

  private async indexEntry(digest: string): Promise<Descriptor | undefined> {
    const index = await this.readIndex().catch((error: NodeJS.ErrnoException) => {
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
      const image = await verifyLayoutImage(dir, digest, this.verifyContext(entry.annotations?.[SERVICE_ANNOTATION]));
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

    // Already stored and intact: nothing to copy. (Damaged, or pruned meanwhile: fall through, the publish below
    // stores it again.) Under the lock it becomes its service's newest image, which a prune always keeps.
    if (options.expectedDigest && (await this.has(options.expectedDigest))) {
      const expected = options.expectedDigest;
      const intact = await this.verify(expected).then(
        () => true,
        (error: unknown) => {
          if (error instanceof ArtifactIntegrityError || error instanceof ArtifactNotFoundError) return false;
          throw error;
        },
      );
      if (intact && (await withLockFile(this.lockPath, () => this.makeNewest(expected)))) {
        return { digest: expected, reference: this.imageReference(options.service, expected), alreadyPresent: true };
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
      // Blobs are placed under the index lock too: a prune deletes blobs no listed image uses, so it must never run
      // between placing them (or finding them present) and listing the image.
      const indexed = await withLockFile(this.lockPath, async () => {
        for (const blob of blobs) placed.set(blob, await this.placeBlob(blobPath(layout, blob), blob));
        await fsyncPath(join(this.location, 'blobs', 'sha256'));
        await options.hooks?.afterBlobs?.();
        await options.hooks?.whileLocked?.();
        if (await this.makeNewest(digest)) return true;
        const index = await this.readIndex();
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
}
