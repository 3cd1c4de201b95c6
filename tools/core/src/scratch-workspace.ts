import { cp, mkdir, mkdtemp, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { stripVTControlCharacters } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { headCommit } from './git';

export const WORKSPACE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ScratchWorkspace {
  root: string;
  /** The environment run() and attempt() add, for commands started some other way. */
  env: Readonly<Record<string, string>>;
  /** Runs a command in the scratch workspace (Nx daemon off, so nothing outlives the run). */
  run(
    command: string,
    args: string[],
    options?: { env?: Record<string, string> },
  ): Promise<{ stdout: string; stderr: string }>;
  /** Like run(), for commands that may fail: never rejects on an exit code; stdout + stderr, colours stripped. */
  attempt(
    command: string,
    args: string[],
    options?: { env?: Record<string, string> },
  ): Promise<{ exitCode: number; output: string }>;
  commit(message: string): Promise<string>;
  dispose(): Promise<void>;
}

/**
 * A throw-away copy of this workspace in a temp folder: the files git would commit (tracked plus untracked, not
 * ignored), a fresh git repository with one commit that can still read the original's commits by sha, and
 * node_modules shared by symlink so no install is needed.
 * The workspace's own packages are linked to the copy, never back to the original.
 */
export async function createScratchWorkspace(prefix = 'musiccorp-', parent = tmpdir()): Promise<ScratchWorkspace> {
  const root = await mkdtemp(join(parent, prefix));
  try {
    return await populate(root);
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

async function populate(root: string): Promise<ScratchWorkspace> {
  const git = (args: string[], cwd = root) => execa('git', args, { cwd });
  const { stdout } = await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], WORKSPACE_ROOT);
  const files = stdout.split('\0').filter(Boolean);
  await Promise.all(
    files.map(async (file) => {
      await mkdir(dirname(join(root, file)), { recursive: true });
      await cp(join(WORKSPACE_ROOT, file), join(root, file), { verbatimSymlinks: true }).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error; // a file deleted but not yet staged
        },
      );
    }),
  );
  await linkNodeModules(root);

  // node_modules is shared by symlink: an npm install in the copy would write into the real one, so npm only pretends.
  const env = {
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    NX_SKIP_NX_CACHE: 'false',
    CI: 'true',
    npm_config_dry_run: 'true',
    npm_config_offline: 'true',
    // Nx copies its native binary into a cache folder per workspace root, in the system temp folder by default: keep
    // the copy's inside it (an ignored path), so dispose() removes it.
    NX_NATIVE_FILE_CACHE_DIRECTORY: join(root, '.nx', 'workspace-data', 'native-file-cache'),
  };
  const scratch: ScratchWorkspace = {
    root,
    env,
    async run(command, args, options = {}) {
      return execa(command, args, { cwd: root, env: { ...env, ...options.env }, preferLocal: true, localDir: root });
    },
    async attempt(command, args, options = {}) {
      const result = await execa(command, args, {
        cwd: root,
        env: { ...env, ...options.env },
        preferLocal: true,
        localDir: root,
        reject: false,
      });
      if (result.exitCode === undefined) throw result; // not an exit: spawn failure or signal
      return { exitCode: result.exitCode, output: stripVTControlCharacters(`${result.stdout}\n${result.stderr}`) };
    },
    async commit(message) {
      await git(['add', '-A']);
      await git([
        '-c',
        'user.name=MusicCorp CI',
        '-c',
        'user.email=ci@musiccorp.example',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        message,
      ]);
      return headCommit(root);
    },
    dispose: () => rm(root, { recursive: true, force: true }),
  };
  await git(['init', '-q', '-b', 'main']);
  // The original's commits stay readable by sha (its object store as an alternate), as in the real repository: a
  // service's recorded template commit can be rendered again (drift check, upgrade) in the copy too.
  const objects = (
    await git(['rev-parse', '--path-format=absolute', '--git-common-dir'], WORKSPACE_ROOT)
  ).stdout.trim();
  await writeFile(join(root, '.git', 'objects', 'info', 'alternates'), `${join(objects, 'objects')}\n`);
  await scratch.commit('scratch workspace');
  return scratch;
}

/**
 * `root/node_modules` as symlinks to this workspace's packages, so `root` runs without an install; also a per-team
 * workspace created with `--no-install` (its own packages are linked into it, as npm links them).
 */
export async function linkNodeModules(root: string): Promise<void> {
  const source = join(WORKSPACE_ROOT, 'node_modules');
  const target = join(root, 'node_modules');
  await mkdir(target);
  for (const entry of await readdir(source)) {
    if (entry === '@musiccorp') continue;
    await symlink(join(source, entry), join(target, entry));
  }
  // npm links workspace packages as relative symlinks; the same links in the copy point into the copy.
  await mkdir(join(target, '@musiccorp'));
  for (const entry of await readdir(join(source, '@musiccorp'))) {
    await symlink(await readlink(join(source, '@musiccorp', entry)), join(target, '@musiccorp', entry));
  }
}
