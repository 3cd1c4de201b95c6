/**
 * Small real git repositories in temp folders, for the owners tests and benchmark: ownership is decided by what
 * `git ls-files` and `git diff` report, so fixtures are actual repositories rather than mocked file lists.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { headCommit } from '../git';

export interface GitRepo {
  root: string;
  git(...args: string[]): string;
  /** Writes files (repo-relative path → content), creating folders. */
  write(files: Record<string, string>): void;
  remove(...paths: string[]): void;
  move(from: string, to: string): void;
  /** Stages everything and commits; returns the commit sha. */
  commit(message?: string): string;
  dispose(): void;
}

const IDENTITY = [
  '-c',
  'user.name=Owners Test',
  '-c',
  'user.email=owners@musiccorp.example',
  '-c',
  'commit.gpgsign=false',
];

export function createGitRepo(files: Record<string, string> = {}, prefix = 'owners-'): GitRepo {
  const repo = openGitRepo(mkdtempSync(join(tmpdir(), prefix)));
  repo.git('init', '-q', '-b', 'main');
  repo.write(files);
  return repo;
}

/**
 * A clone of `upstream` whose remote `origin` is upstream, as a developer's or a CI checkout: it shares no objects
 * with upstream, so what it has not fetched it does not have. `singleBranch`: only main, as CI checkouts fetch.
 */
export function cloneGitRepo(upstream: GitRepo, { singleBranch = false } = {}, prefix = 'owners-clone-'): GitRepo {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const branches = singleBranch ? ['--single-branch', '--branch', 'main'] : [];
  execFileSync('git', ['clone', '-q', '--no-local', ...branches, upstream.root, root], { stdio: 'ignore' });
  return openGitRepo(root);
}

function openGitRepo(root: string): GitRepo {
  const git = (...args: string[]) =>
    execFileSync('git', [...IDENTITY, ...args], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
  const repo: GitRepo = {
    root,
    git,
    write(entries) {
      for (const [path, content] of Object.entries(entries)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), content);
      }
    },
    remove(...paths) {
      for (const path of paths) rmSync(join(root, path), { recursive: true, force: true });
    },
    move(from, to) {
      mkdirSync(dirname(join(root, to)), { recursive: true });
      renameSync(join(root, from), join(root, to));
    },
    commit(message = 'change') {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '--no-verify', '-m', message);
      return headCommit(root);
    },
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
  return repo;
}

/** A registry in the platform's shape: one team per id, handle "@musiccorp/<id>", member "<id>-lead". */
export function teamsJson(ids: readonly string[], extraMembers: Record<string, string[]> = {}): string {
  const teams = ids.map((id) => ({
    id,
    handle: `@musiccorp/${id}`,
    name: id,
    members: [`${id}-lead`, ...(extraMembers[id] ?? [])],
    contact: `#team-${id}`,
  }));
  return `${JSON.stringify({ teams }, null, 2)}\n`;
}
