/**
 * The few git calls the owners CLI makes, synchronous and NUL-separated (-z) so that any file name survives.
 * Plain child_process rather than execa: the CLI's start-up time is part of what `reviewers` costs in CI.
 */
import { filesAt, git, resolveRef, tryGit } from '@musiccorp/core/git';
import { UsageError } from '@musiccorp/core/cli';

/** The top of the work tree containing `dir`; CODEOWNERS paths are relative to it. */
export function repoRoot(dir: string): string {
  const top = tryGit(dir, ['rev-parse', '--show-toplevel'])?.trim();
  if (!top) throw new UsageError(`${dir} is not inside a git work tree. Pass --repo=<a clone of the repository>.`);
  return top;
}

/** Files in the index (what `git ls-files` lists): the files a push would give GitHub. */
export function trackedFiles(repo: string): string[] {
  return git(repo, ['ls-files', '-z']).split('\0').filter(Boolean);
}

/** Resolves base and head in one `git rev-parse`; on failure, finds which one is bad for the message. */
export function resolveCommits(repo: string, base: string, head: string): { baseCommit: string; headCommit: string } {
  if (!base.startsWith('-') && !head.startsWith('-')) {
    const out = tryGit(repo, ['rev-parse', '--end-of-options', `${base}^{commit}`, `${head}^{commit}`]);
    const [baseCommit, headCommit, ...more] = out?.trim().split('\n') ?? [];
    if (baseCommit !== undefined && headCommit !== undefined && more.length === 0) return { baseCommit, headCommit };
  }
  repoRoot(repo); // not a repository at all?
  return {
    baseCommit: resolveRef(repo, { flag: 'base', ref: base, otherwise: 'pass another ref' }),
    headCommit: resolveRef(repo, { flag: 'head', ref: head, otherwise: 'pass another ref' }),
  };
}

/**
 * The first of `paths` that is a file at `commit`, with its text — one `git cat-file --batch` for all candidates
 * instead of a process per path.
 */
export function firstFileAt(
  repo: string,
  commit: string,
  paths: readonly string[],
): { path: string; text: string } | null {
  const found = filesAt(repo, commit, paths);
  for (const path of paths) {
    const text = found.get(path);
    if (text !== undefined) return { path, text };
  }
  return null;
}

export type ChangeStatus = 'A' | 'M' | 'D' | 'R' | 'T';

export interface Change {
  status: ChangeStatus;
  path: string;
  /** Renames only: the path before the rename. */
  oldPath?: string;
}

/**
 * Files changed between the merge base of base and head and head — the diff GitHub shows in a pull request
 * (`base...head`). Renames are detected (-M) so that both their old and their new path are reported.
 */
export function diffChanges(repo: string, base: string, head: string): Change[] {
  const fields = git(repo, [
    'diff',
    '--name-status',
    '-M',
    '-z',
    '--no-color',
    '--no-ext-diff',
    '--no-relative',
    `${base}...${head}`,
    '--',
  ]).split('\0');
  const changes: Change[] = [];
  let i = 0;
  // git writes each status code's path (two for R and C) after it; output that ends early is not git's.
  const pathAfter = (code: string): string => {
    const path = fields[i++];
    if (path === undefined) throw new Error(`git diff --name-status -z ended without the path after "${code}"`);
    return path;
  };
  while (i < fields.length) {
    const code = fields[i++];
    if (!code) continue;
    const kind = code[0];
    if (kind === 'R' || kind === 'C') {
      const oldPath = pathAfter(code);
      const path = pathAfter(code);
      // Copies only appear with -C, which is not passed; treat one as an addition whose source is untouched.
      changes.push(kind === 'R' ? { status: 'R', path, oldPath } : { status: 'A', path });
    } else {
      const path = pathAfter(code);
      changes.push({ status: kind === 'A' || kind === 'D' || kind === 'T' ? kind : 'M', path });
    }
  }
  return changes;
}
