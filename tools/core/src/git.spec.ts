import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkedOutRevision, filesIn, headCommit, resolveRef } from './git';
import { UsageError } from './cli';
import { cloneGitRepo, createGitRepo, type GitRepo } from './testing/git-repo';

let repos: GitRepo[] = [];
const track = (repo: GitRepo) => (repos.push(repo), repo);
afterEach(() => {
  for (const repo of repos) repo.dispose();
  repos = [];
});

const resolveBase = (repo: GitRepo, ref: string) =>
  resolveRef(repo.root, { flag: 'base', ref, otherwise: 'pass another ref' });

/** The message resolveRef refuses `--base=<ref>` with. */
function refusal(repo: GitRepo, ref: string): string {
  try {
    resolveBase(repo, ref);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`--base=${ref} resolved`);
}

/** Runs the fetch the message names as a user would paste it into a shell in the clone. */
function runFetch(repo: GitRepo, message: string): void {
  const command = /Fix: fetch it \(`([^`]+)`\)/.exec(message)?.[1];
  expect(command, message).toBeDefined();
  execFileSync('sh', ['-c', command!], { cwd: repo.root, stdio: 'ignore' });
}

describe('resolveRef', () => {
  let upstream: GitRepo;
  let feature: string;
  /** A CI-like checkout: only main was fetched, so origin/feature, feature and tag v1 are not in it. */
  let clone: GitRepo;
  beforeEach(() => {
    upstream = track(createGitRepo({ 'README.md': 'readme\n' }, 'git-upstream-'));
    upstream.commit('base');
    upstream.git('checkout', '-q', '-b', 'feature');
    upstream.write({ 'README.md': 'readme v2\n' });
    feature = upstream.commit('feature work');
    upstream.git('tag', 'v1');
    upstream.git('checkout', '-q', 'main');
    clone = track(cloneGitRepo(upstream, { singleBranch: true }, 'git-clone-'));
  });

  it('resolves a ref the clone has to its commit', () => {
    expect(resolveBase(clone, 'origin/main')).toBe(upstream.git('rev-parse', 'main').trim());
  });

  it.each(['origin/feature', 'refs/remotes/origin/feature'])(
    'names a fetch that really brings a remote-tracking ref the clone lacks (%s)',
    (ref) => {
      const message = refusal(clone, ref);
      expect(message).toBe(
        `--base=${ref} is not a commit in this clone. Fix: fetch it (\`git fetch origin feature:refs/remotes/origin/feature\`) or pass another ref.`,
      );
      runFetch(clone, message);
      expect(resolveBase(clone, ref)).toBe(feature);
    },
  );

  it('says that the remote has no such branch instead of a fetch that cannot work', () => {
    const message = refusal(clone, 'origin/zzz');
    expect(message).toBe(
      '--base=origin/zzz is not a commit in this clone, and origin has no branch zzz (`git ls-remote --heads --tags origin` lists its branches and tags). Fix: pass another ref.',
    );
    expect(refusal(clone, 'zzz')).toMatch(
      /^--base=zzz is not a commit in this clone, and origin has no branch or tag zzz/,
    );
  });

  it.each([
    ['a branch', 'feature', 'git fetch origin feature:feature'],
    ['a tag', 'v1', 'git fetch origin tag v1'],
    ['a commit', 'SHA', 'git fetch origin SHA'],
    ['an abbreviated commit', 'SHORT', "git fetch origin '+refs/heads/*:refs/remotes/origin/*'"],
  ])('names a fetch that really brings %s the clone lacks', (_, name, command) => {
    const ref = name.replace('SHA', feature).replace('SHORT', feature.slice(0, 10));
    const message = refusal(clone, ref);
    expect(message).toContain(`Fix: fetch it (\`${command.replace('SHA', feature)}\`)`);
    runFetch(clone, message);
    expect(resolveBase(clone, ref)).toBe(feature);
    expect(clone.git('branch', '--list', 'v1')).toBe(''); // the tag was fetched as a tag
  });

  it('says to add the remote when the clone has none', () => {
    const alone = track(createGitRepo({ 'README.md': 'readme\n' }, 'git-alone-'));
    alone.commit('base');
    expect(refusal(alone, 'origin/main')).toBe(
      '--base=origin/main is not a commit in this clone. Fix: fetch it (`git remote add origin <url>`, then `git fetch origin main:refs/remotes/origin/main`) or pass another ref.',
    );
  });

  it('never passes a ref that looks like an option to git as one', () => {
    expect(refusal(clone, '--all')).toMatch(/^--base=--all is not a commit in this clone/);
  });
});

describe('headCommit and checkedOutRevision', () => {
  it('give the checked-out commit and whether the paths differ from it', () => {
    const repo = track(createGitRepo({ 'templates/a.txt': 'a\n', 'other.txt': 'o\n' }, 'git-head-'));
    const commit = repo.commit('base');
    expect(headCommit(repo.root)).toBe(commit);
    expect(checkedOutRevision(repo.root, ['templates'])).toEqual({ commit, modified: false });
    repo.write({ 'other.txt': 'changed\n' });
    expect(checkedOutRevision(repo.root, ['templates'])).toEqual({ commit, modified: false });
    repo.write({ 'templates/b.txt': 'untracked\n' });
    expect(checkedOutRevision(repo.root, ['templates'])).toEqual({ commit, modified: true });
  });

  it('outside git: headCommit throws, checkedOutRevision has no commit and counts as modified', () => {
    const dir = mkdtempSync(join(tmpdir(), 'git-none-'));
    try {
      expect(() => headCommit(dir)).toThrow(/not a git repository/);
      expect(checkedOutRevision(dir, ['templates'])).toEqual({ commit: null, modified: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('filesIn', () => {
  it('reads the files at a commit, or in the working tree without one; a path that is no file is left out', () => {
    const repo = track(createGitRepo({ 'a.txt': 'a committed\n', 'dir/b.txt': 'b\n' }, 'git-files-in-'));
    const commit = repo.commit('base');
    repo.write({ 'a.txt': 'a edited\n', 'new.txt': 'new\n' });
    const paths = ['a.txt', 'dir/b.txt', 'new.txt', 'dir', 'absent.txt'];
    expect(Object.fromEntries(filesIn(repo.root, commit, paths))).toEqual({
      'a.txt': 'a committed\n',
      'dir/b.txt': 'b\n',
    });
    expect(Object.fromEntries(filesIn(repo.root, undefined, paths))).toEqual({
      'a.txt': 'a edited\n',
      'dir/b.txt': 'b\n',
      'new.txt': 'new\n',
    });
  });
});
