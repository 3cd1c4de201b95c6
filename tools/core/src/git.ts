import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './cli';

/** Large enough for `git ls-files` / `git diff --name-status` of a monorepo with thousands of services. */
export const GIT_MAX_BUFFER = 512 * 1024 * 1024;

/** Runs git in `cwd` and returns its stdout; throws (with git's stderr) when git fails. */
export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    maxBuffer: GIT_MAX_BUFFER,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Like git(), but undefined instead of an error: for probing refs and repositories. */
export function tryGit(cwd: string, args: string[]): string | undefined {
  try {
    return git(cwd, args);
  } catch {
    return undefined;
  }
}

/** The commit checked out in `cwd` (HEAD); throws outside a git repository and before its first commit. */
export function headCommit(cwd: string): string {
  return git(cwd, ['rev-parse', 'HEAD']).trim();
}

/**
 * What a provenance record says about `cwd`: the checked-out commit, and whether any of `paths` differs from it
 * (uncommitted or untracked). Outside git: no commit, and modified, since no commit reproduces the files.
 */
export function checkedOutRevision(cwd: string, paths: string[]): { commit: string | null; modified: boolean } {
  try {
    const commit = headCommit(cwd);
    return { commit, modified: git(cwd, ['status', '--porcelain', '--', ...paths]).trim() !== '' };
  } catch {
    return { commit: null, modified: true };
  }
}

/** The commit `ref` names in the repository at `cwd`, or undefined; a ref that looks like an option is none. */
export function commitOf(cwd: string, ref: string): string | undefined {
  if (ref.startsWith('-')) return undefined;
  return tryGit(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])?.trim();
}

export interface RefOption {
  /** The option that named the ref, e.g. `base` for `--base`. */
  flag: string;
  ref: string;
  /** The fix besides fetching the ref, e.g. "pass --head=HEAD". */
  otherwise: string;
}

/**
 * The commit `--<flag>=<ref>` names. When this clone lacks it, a UsageError whose fix is the `git fetch` that brings
 * the ref into this clone, or, when the remote has no such branch, that says so.
 */
export function resolveRef(cwd: string, option: RefOption): string {
  const commit = commitOf(cwd, option.ref);
  if (commit) return commit;
  throw new UsageError(missingRefMessage(cwd, option));
}

function missingRefMessage(cwd: string, { flag, ref, otherwise }: RefOption): string {
  const notHere = `--${flag}=${ref} is not a commit in this clone`;
  const remotes = (tryGit(cwd, ['remote']) ?? '').split('\n').filter(Boolean);
  const fetchIt = (remote: string, command: string) =>
    remotes.includes(remote)
      ? `${notHere}. Fix: fetch it (\`${command}\`) or ${otherwise}.`
      : `${notHere}. Fix: fetch it (\`git remote add ${remote} <url>\`, then \`${command}\`) or ${otherwise}.`;
  const hasNo = (remote: string, what: string) =>
    `${notHere}, and ${remote} has no ${what} (\`git ls-remote --heads --tags ${remote}\` lists its branches and tags). Fix: ${otherwise}.`;

  // A remote-tracking ref (origin/main) is fetched from the remote's branch (main) into refs/remotes/origin/main:
  // `git fetch origin origin/main` would ask the remote for a branch named "origin/main".
  const tracking = ref.replace(/^(refs\/)?remotes\//, '');
  const ofRemote =
    [...remotes].sort((a, b) => b.length - a.length).find((name) => tracking.startsWith(`${name}/`)) ??
    (tracking.startsWith('origin/') ? 'origin' : undefined);
  if (ofRemote !== undefined) {
    const branch = tracking.slice(ofRemote.length + 1);
    if (remotes.includes(ofRemote) && remoteRefs(cwd, ofRemote, [`refs/heads/${branch}`])?.length === 0)
      return hasNo(ofRemote, `branch ${branch}`);
    return fetchIt(ofRemote, `git fetch ${ofRemote} ${branch}:refs/remotes/${ofRemote}/${branch}`);
  }

  // Otherwise a commit, branch or tag of origin (or of the one remote there is).
  const [onlyRemote, ...otherRemotes] = remotes;
  const remote = onlyRemote !== undefined && otherRemotes.length === 0 ? onlyRemote : 'origin';
  if (/^[0-9a-f]{40}$/.test(ref)) return fetchIt(remote, `git fetch ${remote} ${ref}`);
  if (/^[0-9a-f]{7,39}$/.test(ref)) {
    // A commit abbreviation cannot be fetched: fetch every branch (also in a single-branch clone), then look again.
    return fetchIt(remote, `git fetch ${remote} '+refs/heads/*:refs/remotes/${remote}/*'`);
  }
  const found = remotes.includes(remote)
    ? remoteRefs(cwd, remote, [`refs/heads/${ref}`, `refs/tags/${ref}`])
    : undefined;
  if (found?.length === 0) return hasNo(remote, `branch or tag ${ref}`);
  // `git fetch origin v1:v1` would make a branch v1 of the tag; a tag is fetched as a tag.
  const isTag = found !== undefined && !found.includes(`refs/heads/${ref}`);
  return fetchIt(remote, isTag ? `git fetch ${remote} tag ${ref}` : `git fetch ${remote} ${ref}:${ref}`);
}

/**
 * Which of `refs` (full names) `remote` has; undefined when it cannot be asked (offline, no access) within seconds.
 * Only an error message asks the remote: resolving a ref this clone has never goes to the network.
 */
function remoteRefs(cwd: string, remote: string, refs: string[]): string[] | undefined {
  const { status, stdout } = spawnSync('git', ['ls-remote', '--', remote, ...refs], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    timeout: 15_000,
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  if (status !== 0) return undefined;
  // ls-remote matches the patterns against the ends of ref names; only exact names count.
  const listed = new Set(stdout.split('\n').map((line) => line.split('\t')[1]));
  return refs.filter((name) => listed.has(name));
}

/**
 * The text of each of `paths` (repo-relative) at `commit`, for those that are files there: one `git cat-file --batch`
 * for all of them instead of a `git show` per file. A missing path is left out of the map.
 */
export function filesAt(cwd: string, commit: string, paths: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  if (paths.length === 0) return found;
  const output = execFileSync('git', ['cat-file', '--batch'], {
    cwd,
    input: paths.map((path) => `${commit}:${path}\n`).join(''),
    maxBuffer: GIT_MAX_BUFFER,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let offset = 0;
  for (const path of paths) {
    const headerEnd = output.indexOf(0x0a, offset);
    const header = output.subarray(offset, headerEnd).toString('utf8');
    offset = headerEnd + 1;
    const match = /^[0-9a-f]+ (\w+) (\d+)$/.exec(header);
    if (!match) continue; // "<object> missing" (or ambiguous): no such path at that commit
    const size = Number(match[2]);
    if (match[1] === 'blob') found.set(path, output.subarray(offset, offset + size).toString('utf8'));
    offset += size + 1; // the content is followed by a newline
  }
  return found;
}

/** The text of each of `paths` that is a file at `commit` (filesAt), or in the working tree when `commit` is undefined. */
export function filesIn(cwd: string, commit: string | undefined, paths: readonly string[]): Map<string, string> {
  if (commit !== undefined) return filesAt(cwd, commit, paths);
  const found = new Map<string, string>();
  for (const path of paths) {
    try {
      found.set(path, readFileSync(join(cwd, path), 'utf8'));
    } catch {
      // absent: left out, as at a commit
    }
  }
  return found;
}

/** The names of the folders directly inside `dir` (repo-relative) at `commit`; none when it has no such folder. */
export function foldersAt(cwd: string, commit: string, dir: string): string[] {
  const listing = tryGit(cwd, ['ls-tree', '-z', `${commit}:${dir}`]) ?? '';
  // Each entry: "<mode> <type> <object>\t<name>".
  return listing
    .split('\0')
    .filter((entry) => entry.includes(' tree '))
    .map((entry) => entry.slice(entry.indexOf('\t') + 1))
    .sort();
}
