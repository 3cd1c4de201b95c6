/**
 * OCI image layout primitives: types, hashing, verified reads, and the atomic file operations the artifact store is
 * built from. See https://github.com/opencontainers/image-spec/blob/main/image-layout.md.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
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
    if (error.code !== 'ENOENT') throw unreadable(manifestFile, error);
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
    if (error.code !== 'ENOENT') throw unreadable(file, error);
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
  const { digest } = await sha256File(path).catch((error: unknown) => {
    throw unreadable(file, error);
  });
  if (digest !== descriptor.digest) {
    throw new ArtifactIntegrityError(
      `${context.storeLabel}: the ${where} is corrupt: ${file} hashes to ${digest}. ${context.fix(file)}`,
      descriptor.digest,
      file,
    );
  }
}

/** A file of an OCI layout that cannot be read as what it must be (`index.json`, `oci-layout`): its path and the fix. */
export class LayoutFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'LayoutFileError';
  }
}

/** What a layout file that exists but cannot be read (permissions, a folder in its place) is refused with. */
function unreadable(path: string, error: unknown): LayoutFileError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new LayoutFileError(
    `${path} cannot be read (${code}): give this user read access to it (ls -l ${path}), or put the file back in its place.`,
    path,
  );
}

/** The text of a layout file; a missing one rejects with Node's own ENOENT error, an unreadable one by name. */
export async function readLayoutFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    throw unreadable(path, error);
  }
}

/**
 * Reads `index.json` of an OCI layout. Missing: Node's ENOENT error (a store nothing was published to yet). Not an
 * image index (truncated by a full disk, hand-edited): a LayoutFileError naming the file, what is wrong and `fix`.
 */
export async function readIndex(
  layoutDir: string,
  fix = 'It was written by a tool that did not finish; write the layout again.',
): Promise<OciIndex> {
  const path = join(layoutDir, 'index.json');
  const text = await readLayoutFile(path);
  let index: Partial<OciIndex>;
  try {
    index = JSON.parse(text) as Partial<OciIndex>;
  } catch (error) {
    throw new LayoutFileError(
      `${path} is not JSON (${(error as Error).message}${text.length === 0 ? ', the file is empty' : ''}). ${fix}`,
      path,
    );
  }
  if (index?.schemaVersion !== 2 || !Array.isArray(index.manifests))
    throw new LayoutFileError(
      `${path} is not an OCI image index (schemaVersion 2 with a manifests list). ${fix}`,
      path,
    );
  return index as OciIndex;
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

/**
 * When the process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat): with the pid it names one
 * process for good, so a pid the kernel has since given to another process is not taken for the lock's holder.
 * Undefined where /proc is not there (then the pid alone decides).
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count fields after its closing one.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

interface LockOwner {
  pid: number;
  /** processStartTime(pid) when the lock was taken. */
  started?: string;
  host: string;
  token: string;
  since: string;
}

/**
 * How long a lock file may stay without an owner record: its creator writes one right after creating it, so a lock
 * still empty (or unreadable) after this was left by a process killed in between.
 */
const OWNERLESS_LOCK_GRACE_MS = 5_000;

/**
 * Whether `holder` is certainly gone: on this host, its pid is not running, or is running a process that started at
 * another time (a pid reused since). A holder on another host (a store on a shared disk) is never judged.
 */
function holderIsGone(holder: LockOwner): boolean {
  if (holder.host !== hostname()) return false;
  if (!isProcessAlive(holder.pid)) return true;
  const started = processStartTime(holder.pid);
  return holder.started !== undefined && started !== undefined && started !== holder.started;
}

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL) that records its holder: pid, the pid's start
 * time, host. A lock whose holder is gone (see holderIsGone), or that has had no owner record for
 * OWNERLESS_LOCK_GRACE_MS, is taken over; a live holder is waited for up to `timeoutMs`. The critical sections it
 * guards are short (an index read-modify-write), so waits are in milliseconds.
 */
export async function withLockFile<T>(lockPath: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  await mkdir(dirname(lockPath), { recursive: true });
  const owner: LockOwner = {
    pid: process.pid,
    ...(processStartTime(process.pid) ? { started: processStartTime(process.pid) } : {}),
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
    if (holder ? holderIsGone(holder) : await ownerlessFor(lockPath, OWNERLESS_LOCK_GRACE_MS)) {
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
    const owner = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockOwner> | null;
    const complete =
      typeof owner?.pid === 'number' && typeof owner.host === 'string' && typeof owner.token === 'string';
    return complete ? (owner as LockOwner) : undefined;
  } catch {
    return undefined; // gone, or being written right now
  }
}

/** Whether the lock file has existed for `graceMs` without an owner record (false once it is gone). */
async function ownerlessFor(lockPath: string, graceMs: number): Promise<boolean> {
  const info = await stat(lockPath).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > graceMs;
}

/**
 * Moves the stale lock aside and deletes it, unless another process replaced it with a fresh lock meanwhile (`stale`
 * is undefined for a lock that had no owner record).
 */
async function breakStaleLock(lockPath: string, stale: LockOwner | undefined): Promise<void> {
  const aside = `${lockPath}.stale-${uniqueSuffix()}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // someone else broke or released it
  }
  const moved = await readLockOwner(aside);
  const fresh = moved ? moved.token !== stale?.token : !(await ownerlessFor(aside, OWNERLESS_LOCK_GRACE_MS));
  if (fresh) {
    // We moved a fresh lock taken after our check (maybe not yet written): put it back if the slot is still free.
    await link(aside, lockPath).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}
