/**
 * OCI image layout primitives: types, hashing, verified reads, and the atomic file operations the artifact store is
 * built from. See https://github.com/opencontainers/image-spec/blob/main/image-layout.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export const REF_NAME = 'org.opencontainers.image.ref.name';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface OciIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

export interface OciManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface OciImageConfig {
  created?: string;
  architecture?: string;
  os?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Labels?: Record<string, string>;
    ExposedPorts?: Record<string, object>;
  };
  rootfs?: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[];
}

export interface VerifiedImage {
  digest: string;
  manifest: OciManifest;
  /** Size of the manifest blob in bytes. */
  manifestSize: number;
  config: OciImageConfig;
  layers: Descriptor[];
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(value: string): boolean {
  return DIGEST.test(value);
}

export function assertDigest(value: string): void {
  if (!isDigest(value))
    throw new Error(`"${value}" is not an image digest: expected sha256: followed by 64 hex digits.`);
}

export function sha256Of(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function sha256File(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

export function blobPath(layoutDir: string, digest: string): string {
  assertDigest(digest);
  return join(layoutDir, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

/** A blob or manifest whose bytes are not what its digest says, or that is missing. */
export class ArtifactIntegrityError extends Error {
  constructor(
    message: string,
    /** The digest the blob should have. */
    readonly blob: string,
    /** Where the bad blob is (a file path or a registry URL). */
    readonly location: string,
  ) {
    super(message);
    this.name = 'ArtifactIntegrityError';
  }
}

/** The image is not in the store at all. */
export class ArtifactNotFoundError extends Error {
  constructor(
    message: string,
    readonly digest: string,
  ) {
    super(message);
    this.name = 'ArtifactNotFoundError';
  }
}

export interface VerifyContext {
  /** Names the store in messages, e.g. `artifact store /repo/.artifacts/oci`. */
  storeLabel: string;
  /**
   * Where a blob lives as the user knows it, for messages: the store's own file or URL, not the private view being
   * read. Defaults to the file in the layout being verified.
   */
  location?(digest: string): string;
  /** What to do about a bad blob at `location`, e.g. "Delete it and re-run the artifact stage". */
  fix(location: string): string;
}

/**
 * Reads an image from an OCI layout directory and re-hashes every byte of it: the manifest against the digest asked
 * for, the config and each layer against their descriptors (size and sha256). Throws ArtifactIntegrityError naming the
 * blob, what was expected and found, and the fix.
 */
export async function verifyLayoutImage(
  layoutDir: string,
  digest: string,
  context: VerifyContext,
): Promise<VerifiedImage> {
  assertDigest(digest);
  const where = (blob: string) => context.location?.(blob) ?? blobPath(layoutDir, blob);
  const manifestFile = where(digest);
  const manifestBytes = await readFile(blobPath(layoutDir, digest)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new ArtifactIntegrityError(
      `${context.storeLabel}: the manifest blob ${digest} of image ${digest} is missing (${manifestFile}). ${context.fix(manifestFile)}`,
      digest,
      manifestFile,
    );
  });
  const actual = sha256Of(manifestBytes);
  if (actual !== digest) {
    throw new ArtifactIntegrityError(
      `${context.storeLabel}: the manifest of image ${digest} is corrupt: ${manifestFile} hashes to ${actual}, not ${digest}. ${context.fix(manifestFile)}`,
      digest,
      manifestFile,
    );
  }
  let manifest: OciManifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as OciManifest;
  } catch {
    throw new ArtifactIntegrityError(
      `${context.storeLabel}: the manifest ${digest} is not JSON. ${context.fix(manifestFile)}`,
      digest,
      manifestFile,
    );
  }
  const type = manifest.mediaType ?? MEDIA_TYPES.manifest;
  if (type === MEDIA_TYPES.index || type === MEDIA_TYPES.dockerManifestList) {
    throw new Error(
      `${context.storeLabel}: ${digest} is a multi-platform index; the artifact store holds single-platform images only.`,
    );
  }
  if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
    throw new ArtifactIntegrityError(
      `${context.storeLabel}: ${digest} is not an image manifest. ${context.fix(manifestFile)}`,
      digest,
      manifestFile,
    );
  }

  const blobs: { role: string; descriptor: Descriptor }[] = [
    { role: 'config', descriptor: manifest.config },
    ...manifest.layers.map((descriptor, index) => ({
      role: `layer ${index + 1}/${manifest.layers.length}`,
      descriptor,
    })),
  ];
  // Hash the blobs one after another: they are large and the disk is the limit, not the CPU.
  for (const { role, descriptor } of blobs) await verifyBlob(layoutDir, digest, role, descriptor, context, where);

  const config = JSON.parse(await readFile(blobPath(layoutDir, manifest.config.digest), 'utf8')) as OciImageConfig;
  return { digest, manifest, manifestSize: manifestBytes.length, config, layers: manifest.layers };
}

async function verifyBlob(
  layoutDir: string,
  image: string,
  role: string,
  descriptor: Descriptor,
  context: VerifyContext,
  location: (digest: string) => string,
): Promise<void> {
  if (!isDigest(descriptor.digest)) {
    throw new ArtifactIntegrityError(
      `${context.storeLabel}: image ${image} names its ${role} by an unsupported digest "${descriptor.digest}".`,
      descriptor.digest,
      layoutDir,
    );
  }
  const path = blobPath(layoutDir, descriptor.digest);
  const file = location(descriptor.digest);
  const where = `${role} ${descriptor.digest} of image ${image}`;
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    return undefined;
  });
  if (!info) {
    throw new ArtifactIntegrityError(
      `${context.storeLabel}: the ${where} is missing (${file}). ${context.fix(file)}`,
      descriptor.digest,
      file,
    );
  }
  if (info.size !== descriptor.size) {
    throw new ArtifactIntegrityError(
      `${context.storeLabel}: the ${where} is corrupt: ${file} has ${info.size} bytes, the manifest says ${descriptor.size}. ${context.fix(file)}`,
      descriptor.digest,
      file,
    );
  }
  const { digest } = await sha256File(path);
  if (digest !== descriptor.digest) {
    throw new ArtifactIntegrityError(
      `${context.storeLabel}: the ${where} is corrupt: ${file} hashes to ${digest}. ${context.fix(file)}`,
      descriptor.digest,
      file,
    );
  }
}

export async function readIndex(layoutDir: string): Promise<OciIndex> {
  const text = await readFile(join(layoutDir, 'index.json'), 'utf8');
  const index = JSON.parse(text) as OciIndex;
  if (index.schemaVersion !== 2 || !Array.isArray(index.manifests))
    throw new Error(`${layoutDir}/index.json is not an OCI image index.`);
  return index;
}

/** fsync a file or directory by path. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function uniqueSuffix(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** A new temp file beside `path` holding `data`, synced to disk: the first half of every whole-or-nothing write. */
async function writeTempBeside(path: string, data: string | Buffer): Promise<string> {
  const temp = `${path}.tmp-${uniqueSuffix()}`;
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/** Writes a file whole or not at all: a temp file beside it, fsync, rename over, fsync the directory. */
export async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const temp = await writeTempBeside(path, data);
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncPath(dirname(path));
}

/** Creates `path` with `data` only if it does not exist yet (whole or not at all); returns false if it existed. */
export async function writeFileIfAbsent(path: string, data: string | Buffer): Promise<boolean> {
  const temp = await writeTempBeside(path, data);
  try {
    await link(temp, path);
    await fsyncPath(dirname(path));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL). A lock left by a process that died (same host,
 * pid gone) is broken; a live holder is waited for up to `timeoutMs`. The critical sections it guards are short (an
 * index read-modify-write), so waits are in milliseconds.
 */
export async function withLockFile<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o644);
      try {
        await handle.writeFile(JSON.stringify(owner));
        await handle.sync();
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readLockOwner(lockPath);
    if (holder && holder.host === owner.host && !isProcessAlive(holder.pid)) {
      await breakStaleLock(lockPath, holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}, held by ${holder ? `pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'an unknown process'}. ` +
          `If no artifact publish is running, delete ${lockPath}.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 20));
  }
  try {
    return await fn();
  } finally {
    const holder = await readLockOwner(lockPath);
    if (holder?.token === owner.token) await unlink(lockPath).catch(() => undefined);
  }
}

async function readLockOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(lockPath, 'utf8')) as LockOwner;
  } catch {
    return undefined; // gone, or being written right now
  }
}

/** Moves the stale lock aside and deletes it, unless another process replaced it with a fresh lock meanwhile. */
async function breakStaleLock(lockPath: string, stale: LockOwner): Promise<void> {
  const aside = `${lockPath}.stale-${uniqueSuffix()}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // someone else broke or released it
  }
  const moved = await readLockOwner(aside);
  if (moved && moved.token !== stale.token) {
    // We moved a fresh lock taken after our check: put it back if the slot is still free.
    await link(aside, lockPath).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}
