/**
 * Daemonless container tooling shared by the artifact layer: where images live while they are built (a
 * containers/storage root used by buildah, skopeo and podman alike), and how to call those tools.
 *
 * Everything runs with the `vfs` storage driver: it needs no kernel overlay support and no fuse, so it works as root
 * in a sandbox, at the cost of a full copy of the file system per layer.
 */
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type Options } from 'execa';

export interface ContainerStorage {
  /** containers/storage graph root: images and layers. */
  root: string;
  /** containers/storage run root: locks and transient state (at most 50 characters for podman: see runrootFor). */
  runroot: string;
  driver: 'vfs';
}

/**
 * The storage kept in `dir`: its graph root (images and layers: large, kept) is `<dir>/root`, its run root (locks
 * and mount state: small, transient) the short private folder runrootFor() gives — never beside the graph root, so
 * never as long as the checkout's path.
 */
export function containerStorage(dir: string): ContainerStorage {
  const root = join(resolve(dir), 'root');
  return { root, runroot: runrootFor(root), driver: 'vfs' };
}

/** The build storage of a workspace: `.artifacts/containers/root` at its root (git-ignored), run root aside. */
export function workspaceStorage(workspaceRoot: string): ContainerStorage {
  return containerStorage(resolve(workspaceRoot, '.artifacts', 'containers'));
}

/**
 * podman refuses a run root longer than 50 characters (exit 125, "the specified runroot is longer than 50
 * characters"; the graph root has no such limit), and a checkout can be anywhere (a GitHub runner's is
 * /home/runner/work/<repo>/<repo>). So the run root of the storage at `graphRoot` is `/tmp/musiccorp-<uid>-<hash>`,
 * 38 characters at most: the hash (of the graph root's path) makes it one per storage and the same from every tool and
 * process using that storage, which share its locks there. Created private (0700); a folder of that name that is not
 * this user's own directory (another user's, a symlink) is refused rather than used.
 */
export function runrootFor(graphRoot: string): string {
  const uid = process.getuid?.() ?? 0;
  const hash = createHash('sha256').update(resolve(graphRoot)).digest('hex').slice(0, 12);
  const dir = `/tmp/musiccorp-${uid}-${hash}`;
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const info = lstatSync(dir);
  if (!info.isDirectory() || info.uid !== uid) {
    throw new Error(
      `${dir}, the container run root of ${graphRoot}, is not a directory of this user (uid ${uid}): it holds only transient state, so remove it (rm -rf ${dir}) and run again.`,
    );
  }
  return dir;
}

/** `--storage-driver vfs --root … --runroot …`, understood by buildah and podman. */
export function storageFlags(storage: ContainerStorage): string[] {
  return ['--storage-driver', storage.driver, '--root', storage.root, '--runroot', storage.runroot];
}

/** A containers-image reference into this storage, for skopeo: `containers-storage:[vfs@root+runroot]image`. */
export function storageReference(storage: ContainerStorage, image: string): string {
  return `containers-storage:[${storage.driver}@${storage.root}+${storage.runroot}]${image}`;
}

/**
 * podman's global flags for this sandbox: no systemd (cgroupfs), events to a file, runc, and libpod's own temp dir
 * inside the run root so two storages never share state in /run/libpod.
 */
export function podmanFlags(storage: ContainerStorage): string[] {
  return [
    ...storageFlags(storage),
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
    '--runtime',
    'runc',
    '--tmpdir',
    join(storage.runroot, 'libpod-tmp'),
  ];
}

/**
 * `podman run` flags every container here needs: the default rlimits podman asks for are above what this sandbox
 * allows (runc fails with "error setting rlimit type 7: operation not permitted").
 */
export const PODMAN_RUN_FLAGS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

const INSTALL_HINT: Record<string, string> = {
  buildah: 'apt-get install -y buildah',
  skopeo: 'apt-get install -y skopeo',
  podman: 'apt-get install -y podman runc',
  umoci: 'apt-get install -y umoci',
  'docker-registry': 'apt-get install -y docker-registry',
  ldd: 'apt-get install -y libc-bin',
  tar: 'apt-get install -y tar',
};

/** Runs a tool and, when it fails, throws an error that carries the command line and the tail of its stderr. */
export async function tool(
  command: string,
  args: string[],
  options: Options = {},
): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const result = await execa(command, args, { reject: false, stdin: 'ignore', ...options });
  if ((result as { failed?: boolean }).failed || result.exitCode !== 0) {
    const code = (result as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new Error(`${command} is not installed (${INSTALL_HINT[command] ?? `install ${command}`}).`);
    }
    const stderr = String(result.stderr ?? '')
      .trim()
      .split('\n')
      .slice(-15)
      .join('\n');
    throw new ToolError(`${command} ${args.join(' ')}`, result.exitCode ?? -1, stderr);
  }
  return { stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? ''), exitCode: 0 };
}

export class ToolError extends Error {
  constructor(
    readonly commandLine: string,
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(`\`${commandLine}\` failed with exit code ${exitCode}:\n${stderr}`);
    this.name = 'ToolError';
  }
}

/** Throws one clear error naming every missing tool and the apt-get line that installs it. */
export async function requireTools(names: string[]): Promise<void> {
  const missing: string[] = [];
  for (const name of names) {
    const found = await execa('sh', ['-c', `command -v ${name}`], { reject: false });
    if (found.exitCode !== 0) missing.push(name);
  }
  if (missing.length > 0) {
    const hints = [...new Set(missing.map((name) => INSTALL_HINT[name] ?? `install ${name}`))];
    throw new Error(`Missing tools: ${missing.join(', ')}. Install them with: ${hints.join(' && ')}`);
  }
}

export function buildah(storage: ContainerStorage, args: string[], options: Options = {}) {
  return tool('buildah', [...storageFlags(storage), ...args], options);
}

export function podman(storage: ContainerStorage, args: string[], options: Options = {}) {
  return tool('podman', [...podmanFlags(storage), ...args], options);
}

export interface StoredImageInfo {
  /** The image ID: the digest of its config. */
  id: string;
  /** The manifest digest: the image's identity everywhere (stores, registries, `podman run name@digest`). */
  digest: string;
  manifest: OciManifestLike;
  config: { config?: { Labels?: Record<string, string> }; rootfs?: { diff_ids?: string[] } } & Record<string, unknown>;
  labels: Record<string, string>;
}

interface OciManifestLike {
  schemaVersion: number;
  mediaType?: string;
  config: { mediaType: string; digest: string; size: number };
  layers: { mediaType: string; digest: string; size: number }[];
  annotations?: Record<string, string>;
}

/** What buildah knows about an image in this storage, or undefined when the storage has no such image. */
export async function inspectImage(storage: ContainerStorage, image: string): Promise<StoredImageInfo | undefined> {
  const result = await execa('buildah', [...storageFlags(storage), 'inspect', '--type', 'image', image], {
    reject: false,
  });
  if (result.exitCode !== 0) {
    if (/not known|unknown|no such image|does not exist|not found|identifier is not an image/i.test(result.stderr))
      return undefined;
    throw new ToolError(`buildah inspect --type image ${image}`, result.exitCode ?? -1, result.stderr);
  }
  const info = JSON.parse(result.stdout) as {
    FromImageID: string;
    FromImageDigest: string;
    Manifest: string;
    Config: string;
  };
  const config = JSON.parse(info.Config) as StoredImageInfo['config'];
  return {
    id: `sha256:${info.FromImageID.replace(/^sha256:/, '')}`,
    digest: info.FromImageDigest,
    manifest: JSON.parse(info.Manifest) as OciManifestLike,
    config,
    labels: config.config?.Labels ?? {},
  };
}

export interface TempStorage extends ContainerStorage {
  dispose(): Promise<void>;
}

/** A fresh, empty storage under the OS temp dir (for tests and throw-away builds). */
export async function createTempStorage(prefix = 'musiccorp-storage-'): Promise<TempStorage> {
  const base = await mkdtemp(join(tmpdir(), prefix));
  const storage = containerStorage(base);
  await mkdir(storage.root, { recursive: true });
  return { ...storage, dispose: () => disposeStorage(storage, base) };
}

/** Unmounts whatever podman or buildah left mounted under the storage (shm, secrets), then deletes it. */
export async function disposeStorage(storage: ContainerStorage, base?: string): Promise<void> {
  const dirs = [storage.root, storage.runroot, ...(base ? [base] : [])];
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounts = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => !!point && dirs.some((dir) => point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await execa('umount', ['-l', point], { reject: false });
  // A container's conmon may still be writing its exit files as rm walks the tree (ENOTEMPTY): rm retries then.
  for (const dir of dirs) await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
}
