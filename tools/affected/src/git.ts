/**
 * The git side of `ci:affected`: resolve the refs, find the merge base, list the changed files and read a file as it
 * was at a revision. Synchronous and few processes: rev-parse, merge-base, one diff (plus ls-files for the working
 * tree), and `git show` only for the handful of JSON files the locators diff.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitOf, git, resolveRef, tryGit as tryGitRaw } from '@musiccorp/core/git';
import { UsageError } from '@musiccorp/core/cli';

export type ChangeStatus = 'added' | 'modified' | 'deleted';

export interface ChangedFile {
  file: string;
  status: ChangeStatus;
}

export interface Revisions {
  base: { ref: string; sha: string };
  /** The merge base of base and head: what the head is compared with (as `nx affected` does). */
  mergeBase: string;
  /** `sha` undefined: the working tree (HEAD plus uncommitted and untracked files). */
  head: { ref: string; sha: string | undefined };
  /** The workspace's folder inside the repository ('' at the top, else ending in '/'). */
  prefix: string;
}

/** git output without the trailing newline, or undefined when git fails. */
const tryGit = (root: string, args: string[]) => tryGitRaw(root, args)?.trim();

/**
 * Resolves `--base`/`--head`. Without `--head` the head is the working tree: HEAD plus staged, unstaged and untracked
 * files (what `nx affected --base=X` does). With `--head` only committed changes count, and the head must be the
 * checked-out commit, because Nx reads the project graph from the files on disk.
 * One `git rev-parse` for all refs when they are fine; one per ref only to say which one is not.
 */
export function resolveRevisions(root: string, base: string, head: string | undefined): Revisions {
  const refs = [base, 'HEAD', ...(head === undefined ? [] : [head])];
  const all = refs.some((r) => r.startsWith('-'))
    ? undefined
    : tryGit(root, ['rev-parse', '--is-inside-work-tree', '--show-prefix', ...refs.map((r) => `${r}^{commit}`)])?.split(
        '\n',
      );
  if (all?.[0] !== 'true' && tryGit(root, ['rev-parse', '--is-inside-work-tree']) !== 'true') {
    throw new UsageError(`${root} is not inside a git work tree. Run ci:affected from a clone of the repository.`);
  }
  const baseSha =
    all?.[2] ??
    resolveRef(root, {
      flag: 'base',
      ref: base,
      otherwise:
        'pass an existing ref, e.g. --base=origin/main or a commit SHA (CI checkouts are often shallow: use fetch-depth: 0)',
    });
  const checkedOut = all?.[3] ?? commitOf(root, 'HEAD');
  if (!checkedOut) throw new UsageError('This repository has no commits yet; commit something, then compare.');
  let headSha: string | undefined;
  if (head !== undefined) {
    headSha =
      all?.[4] ??
      resolveRef(root, {
        flag: 'head',
        ref: head,
        otherwise: 'pass --head=HEAD, or omit --head to compare the working tree',
      });
    if (headSha !== checkedOut) {
      throw new UsageError(
        `--head=${head} is ${headSha.slice(0, 12)} but the checked-out commit is ${checkedOut.slice(0, 12)}. Nx reads the ` +
          `project graph from the files on disk, so check the head out first (\`git checkout ${head}\`) or pass --head=HEAD.`,
      );
    }
  }
  const mergeBase = tryGit(root, ['merge-base', baseSha, headSha ?? checkedOut]);
  if (!mergeBase) {
    throw new UsageError(
      `--base=${base} and the head share no history in this clone (a shallow clone?). Fix: \`git fetch --unshallow\` ` +
        `(or fetch-depth: 0 in CI), or pass a --base that is an ancestor of the head.`,
    );
  }
  const prefix = all?.[1] ?? git(root, ['rev-parse', '--show-prefix']).trim();
  return {
    base: { ref: base, sha: baseSha },
    mergeBase,
    head: { ref: head ?? 'HEAD + working tree', sha: headSha },
    prefix,
  };
}

export interface WorkingTree {
  /** Tracked files that differ from HEAD (staged or not) and untracked files, relative to the workspace root. */
  uncommitted: string[];
  untracked: string[];
}

/** One `git status`: what is not committed yet. No optional locks, so it never competes with a concurrent git. */
export function workingTreeStatus(root: string, prefix: string): WorkingTree {
  const out = git(root, ['--no-optional-locks', 'status', '--porcelain=v1', '-z', '-uall', '--no-renames', '--', '.']);
  const uncommitted: string[] = [];
  const untracked: string[] = [];
  for (const entry of out.split('\0')) {
    // Porcelain paths are relative to the repository root; the workspace may be a subfolder (`prefix`).
    if (entry.length < 4) continue;
    const file = entry.slice(3);
    if (!file.startsWith(prefix)) continue;
    const relative = file.slice(prefix.length);
    uncommitted.push(relative);
    if (entry.startsWith('??')) untracked.push(relative);
  }
  return { uncommitted, untracked };
}

function parseNameStatus(output: string): ChangedFile[] {
  const parts = output.split('\0');
  const files: ChangedFile[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const code = parts[i]?.charAt(0);
    const file = parts[i + 1];
    if (!file) continue;
    files.push({ file, status: code === 'A' ? 'added' : code === 'D' ? 'deleted' : 'modified' });
  }
  return files;
}

/** Files changed between the merge base and the head (renames are a delete plus an add, as in Nx). */
export function changedFiles(root: string, revisions: Revisions, tree: WorkingTree): ChangedFile[] {
  const range = revisions.head.sha ? [revisions.mergeBase, revisions.head.sha] : [revisions.mergeBase];
  // --relative: paths relative to the workspace root, also when it is a subfolder of the repository (as Nx does).
  const files = parseNameStatus(
    git(root, ['diff', '--name-status', '-z', '--no-renames', '--relative', ...range, '--']),
  );
  if (!revisions.head.sha) {
    const known = new Set(files.map((f) => f.file));
    for (const file of tree.untracked) if (!known.has(file)) files.push({ file, status: 'added' });
  }
  return files.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

/** A file's text at a commit, or in the working tree when `sha` is undefined; '' when it does not exist there. */
export function readAt(root: string, sha: string | undefined, file: string): string {
  try {
    return sha === undefined ? readFileSync(join(root, file), 'utf8') : git(root, ['show', `${sha}:./${file}`]);
  } catch {
    return '';
  }
}

/** Tracked (and, for the working tree, untracked) files containing any of the strings, outside `excludeDir`. */
export function filesContaining(root: string, strings: string[], excludeDir: string, workingTree: boolean): string[] {
  if (strings.length === 0) return [];
  const args = [
    'grep',
    '-l',
    '-z',
    '-F',
    ...(workingTree ? ['--untracked'] : []),
    ...strings.flatMap((s) => ['-e', s]),
  ];
  try {
    return git(root, [...args, '--', '.', `:(exclude)${excludeDir}/**`])
      .split('\0')
      .filter(Boolean);
  } catch (error) {
    if ((error as { status?: number }).status === 1) return []; // git grep: nothing found
    throw error;
  }
}
