/**
 * The Node base image, built FROM scratch out of THIS machine's node binary: it stands in for the pinned public
 * `node:20.20.2-bookworm-slim`, the way an air-gapped organisation's mirror would hold it.
 *
 * Contents: /usr/local/bin/node, the shared libraries `ldd` lists and the dynamic loader (with the host's symlinks,
 * e.g. Debian's merged /lib -> usr/lib), /etc/passwd (root + uid 1000 `node`), /etc/group, /etc/nsswitch.conf,
 * /home/node (1000:1000), /tmp (1777), /root (0700) and the CA bundle when the host has one.
 *
 * Reproducible: files are staged with fixed modes, buildah commits with `--timestamp 0` (every mtime and the creation
 * date become the epoch), no identity label, so the same inputs give the same digest on any storage. Idempotent: the
 * image carries a label with the sha256 of all its inputs; an image of that name with the same label is reused.
 */
import { createHash } from 'node:crypto';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { buildah, inspectImage, tool, type ContainerStorage } from '../containers';
import { sha256File } from '../oci';

/** Bump when the image's layout or config changes, so existing images are rebuilt. */
const RECIPE_VERSION = '1';
export const INPUTS_LABEL = 'io.musiccorp.base-image.inputs';

export interface BaseImageOptions {
  storage: ContainerStorage;
  /** Default: `localhost/musiccorp/node-base:<node version>`. */
  name?: string;
  /** Default: the node running this code (`process.execPath`). */
  nodeBinary?: string;
  /** Rebuild even if an image with the same inputs exists. */
  force?: boolean;
}

export interface BaseImage {
  name: string;
  /** Manifest digest: what `FROM name@digest` and the artifact record pin. */
  digest: string;
  imageId: string;
  nodeVersion: string;
  /** sha256 of every input (files, modes, config, recipe version). */
  inputs: string;
  reused: boolean;
  /** Wall time of this call. */
  ms: number;
}

export function defaultBaseImageName(nodeVersion = process.versions.node): string {
  return `localhost/musiccorp/node-base:${nodeVersion}`;
}

type Entry =
  | { path: string; kind: 'dir'; mode: number; owner?: 'node' }
  | { path: string; kind: 'file'; mode: number; source?: string; content?: string }
  | { path: string; kind: 'symlink'; target: string };

export async function ensureBaseImage(options: BaseImageOptions): Promise<BaseImage> {
  const started = performance.now();
  const nodeBinary = realpathSync(options.nodeBinary ?? process.execPath);
  const nodeVersion = (await tool(nodeBinary, ['--version'])).stdout.trim().replace(/^v/, '');
  const name = options.name ?? defaultBaseImageName(nodeVersion);
  if (!name.includes('/') || !/^[a-z0-9]/.test(name))
    throw new Error(
      `Base image name "${name}" must be fully qualified, e.g. localhost/musiccorp/node-base:${nodeVersion}.`,
    );

  const entries = await planEntries(nodeBinary);
  const config = imageConfig(nodeVersion);
  const inputs = await fingerprint(entries, config);

  const existing = await inspectImage(options.storage, name);
  if (existing && !options.force && existing.labels[INPUTS_LABEL] === inputs) {
    return {
      name,
      digest: existing.digest,
      imageId: existing.id,
      nodeVersion,
      inputs,
      reused: true,
      ms: performance.now() - started,
    };
  }

  const staging = await mkdtemp(join(tmpdir(), 'musiccorp-base-'));
  let container: string | undefined;
  try {
    const rootfs = join(staging, 'rootfs');
    const home = join(staging, 'home-node');
    await stage(rootfs, entries);
    await mkdir(home, { mode: 0o755 });
    await chmod(home, 0o755);

    container = (await buildah(options.storage, ['from', '--quiet', 'scratch'])).stdout.trim();
    await buildah(options.storage, ['copy', '--quiet', container, `${rootfs}/`, '/']);
    await buildah(options.storage, ['copy', '--quiet', '--chown', '1000:1000', container, `${home}/`, '/home/node']);
    await buildah(options.storage, [
      'config',
      ...config.env.flatMap((env) => ['--env', env]),
      '--cmd',
      JSON.stringify(config.cmd),
      '--os',
      'linux',
      '--arch',
      config.arch,
      ...Object.entries({ ...config.labels, [INPUTS_LABEL]: inputs }).flatMap(([key, value]) => [
        '--label',
        `${key}=${value}`,
      ]),
      '--created-by',
      config.createdBy,
      container,
    ]);
    await buildah(options.storage, [
      'commit',
      '--quiet',
      '--timestamp',
      '0',
      '--format',
      'oci',
      '--identity-label=false',
      '--rm',
      container,
      name,
    ]);
    container = undefined;
  } finally {
    if (container) await buildah(options.storage, ['rm', container]).catch(() => undefined);
    await rm(staging, { recursive: true, force: true });
  }
  const built = await inspectImage(options.storage, name);
  if (!built) throw new Error(`buildah committed ${name} but the storage ${options.storage.root} does not list it.`);
  return {
    name,
    digest: built.digest,
    imageId: built.id,
    nodeVersion,
    inputs,
    reused: false,
    ms: performance.now() - started,
  };
}

function imageConfig(nodeVersion: string) {
  const arch =
    { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' }[process.arch as string] ??
    process.arch;
  return {
    arch,
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `NODE_VERSION=${nodeVersion}`],
    cmd: ['node'],
    labels: {
      'org.opencontainers.image.title': 'musiccorp/node-base',
      'org.opencontainers.image.version': nodeVersion,
      'org.opencontainers.image.description': `Node.js ${nodeVersion} from the build machine's own binary, FROM scratch (stands in for node:${nodeVersion}-bookworm-slim)`,
    },
    createdBy: `musiccorp base-image: node v${nodeVersion} and its shared libraries, FROM scratch`,
  };
}

/** Every path of the image: node, its libraries (following the host's symlinks), and the few files node needs. */
async function planEntries(nodeBinary: string): Promise<Entry[]> {
  const entries = new Map<string, Entry>();
  const add = (entry: Entry) => {
    if (!entries.has(entry.path)) entries.set(entry.path, entry);
  };
  const addParents = (path: string) => {
    for (let dir = posix.dirname(path); dir !== '/'; dir = posix.dirname(dir))
      add({ path: dir, kind: 'dir', mode: 0o755 });
  };
  const fileMode = (mode: number) => (mode & 0o111 ? 0o755 : 0o644);

  // A host path, reproduced with every symlink on the way (e.g. /lib -> usr/lib on merged-/usr Debian).
  const addHostPath = async (path: string, depth = 0): Promise<void> => {
    if (depth > 40) throw new Error(`Too many symlinks resolving ${path}.`);
    const parts = path.split('/').filter(Boolean);
    let current = '/';
    for (const [i, part] of parts.entries()) {
      const next = posix.join(current, part);
      const info = await lstat(next);
      if (info.isSymbolicLink()) {
        const target = await readlink(next);
        addParents(next);
        add({ path: next, kind: 'symlink', target });
        return addHostPath(posix.join(posix.resolve(current, target), ...parts.slice(i + 1)), depth + 1);
      }
      if (i < parts.length - 1) {
        add({ path: next, kind: 'dir', mode: 0o755 });
      } else if (info.isDirectory()) {
        add({ path: next, kind: 'dir', mode: 0o755 });
      } else {
        addParents(next);
        add({ path: next, kind: 'file', mode: fileMode(info.mode), source: next });
      }
      current = next;
    }
  };

  add({ path: '/usr/local/bin/node', kind: 'file', mode: 0o755, source: nodeBinary });
  addParents('/usr/local/bin/node');
  for (const library of await sharedLibraries(nodeBinary)) await addHostPath(library);

  const text = (path: string, content: string, mode = 0o644) => {
    addParents(path);
    add({ path, kind: 'file', mode, content });
  };
  text('/etc/passwd', 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000:node:/home/node:/usr/sbin/nologin\n');
  text('/etc/group', 'root:x:0:\nnode:x:1000:\n');
  text('/etc/nsswitch.conf', 'passwd: files\ngroup: files\nhosts: files dns\n');
  add({ path: '/tmp', kind: 'dir', mode: 0o1777 });
  add({ path: '/root', kind: 'dir', mode: 0o700 });
  add({ path: '/home', kind: 'dir', mode: 0o755 }); // /home/node itself is copied with --chown 1000:1000
  const caBundle = '/etc/ssl/certs/ca-certificates.crt';
  if (existsSync(caBundle)) {
    addParents(caBundle);
    add({ path: caBundle, kind: 'file', mode: 0o644, source: realpathSync(caBundle) });
  }
  return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The shared libraries and loader `ldd` lists for the binary (none for a static binary). */
export async function sharedLibraries(binary: string): Promise<string[]> {
  const result = await tool('ldd', [binary]).catch((error: Error) => {
    if (/not a dynamic executable|statically linked/.test(error.message)) return { stdout: '' };
    throw error;
  });
  const libraries: string[] = [];
  for (const line of result.stdout.split('\n')) {
    if (/not found/.test(line)) throw new Error(`ldd ${binary}: ${line.trim()} — install the missing library first.`);
    const match = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (match?.[1]) libraries.push(match[1]);
  }
  return [...new Set(libraries)].sort();
}

async function fingerprint(entries: Entry[], config: ReturnType<typeof imageConfig>): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`recipe ${RECIPE_VERSION}\n${JSON.stringify(config)}\n`);
  for (const entry of entries) {
    if (entry.kind === 'dir') hash.update(`dir ${entry.path} ${entry.mode.toString(8)}\n`);
    else if (entry.kind === 'symlink') hash.update(`symlink ${entry.path} ${entry.target}\n`);
    else {
      const content = entry.source
        ? (await sha256File(entry.source)).digest
        : createHash('sha256')
            .update(entry.content ?? '')
            .digest('hex');
      hash.update(`file ${entry.path} ${entry.mode.toString(8)} ${content}\n`);
    }
  }
  return `sha256:${hash.digest('hex')}`;
}

async function stage(rootfs: string, entries: Entry[]): Promise<void> {
  await mkdir(rootfs, { recursive: true });
  await chmod(rootfs, 0o755); // becomes the image's "/"
  for (const entry of entries) {
    const target = join(rootfs, entry.path);
    await mkdir(dirname(target), { recursive: true });
    if (entry.kind === 'dir') {
      await mkdir(target, { recursive: true });
      await chmod(target, entry.mode);
    } else if (entry.kind === 'symlink') {
      await symlink(entry.target, target);
    } else {
      if (entry.source) await copyFile(entry.source, target);
      else await writeFile(target, entry.content ?? '');
      await chmod(target, entry.mode);
    }
  }
}
