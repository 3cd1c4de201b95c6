/**
 * The embedded artifact store: an OCI image layout directory (default `.artifacts/oci` at the workspace root), no server.
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
  type OciIndex,
  type VerifyContext,
} from './oci';
import { tool } from './containers';
import type { ImageSource, PublishOptions, PublishResult } from './store';
import { assertService, BaseArtifactStore, canPreserveDigests, sourceReference, type View } from './store-base';

const SERVICE_ANNOTATION = 'io.musiccorp.service';
const REVISION_ANNOTATION = 'org.opencontainers.image.revision';

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
}
