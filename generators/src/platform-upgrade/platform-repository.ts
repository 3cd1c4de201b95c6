/**
 * The platform a workspace upgrades from, read from git objects only (never a working tree): a local clone read in
 * place (`git -C <path>`), or a URL cloned without a checkout into a temporary folder that dispose() removes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '@musiccorp/core/cli';
import { commitOf, git, GIT_MAX_BUFFER, tryGit } from '@musiccorp/core/git';

/** A file of a commit: its mode as git records it (100644, 100755) and its blob. */
export interface TreeEntry {
  mode: string;
  blob: string;
}

export class PlatformRepository {
  private constructor(
    /** The --from as given, for messages. */
    readonly from: string,
    /** Where git runs: the clone itself, or the temporary clone of a URL. */
    readonly root: string,
    private readonly temporary: boolean,
  ) {}

  /** `from` is a folder (relative to `cwd`) holding a git repository, or anything `git clone` takes. */
  static open(from: string, cwd: string): PlatformRepository {
    const path = resolve(cwd, from);
    if (!from.includes('://') && existsSync(path)) {
      if (tryGit(path, ['rev-parse', '--git-dir']) === undefined)
        throw new UsageError(
          `--from=${from} is a folder but not a git repository: the upgrade reads the platform's commits. Fix: --from=<a clone of the platform> or --from=<its git URL>.`,
        );
      return new PlatformRepository(from, path, false);
    }
    const clone = mkdtempSync(join(tmpdir(), 'platform-upgrade-'));
    const cloned = spawnSync('git', ['clone', '--no-checkout', '--quiet', '--', from, clone], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, // a URL needing credentials fails instead of waiting for them
    });
    if (cloned.status !== 0) {
      rmSync(clone, { recursive: true, force: true });
      const why = (cloned.stderr || cloned.error?.message || '').trim().split('\n').at(-1);
      throw new UsageError(
        `--from=${from} is neither a folder nor a repository git can clone (${why}). Fix: --from=<the path of a platform clone> or --from=<its git URL> (\`git ls-remote ${from}\` checks the URL and your access).`,
      );
    }
    return new PlatformRepository(from, clone, true);
  }

  /** The commit `ref` names, or undefined. */
  commit(ref: string): string | undefined {
    return commitOf(this.root, ref);
  }

  isAncestor(ancestor: string, descendant: string): boolean {
    return tryGit(this.root, ['merge-base', '--is-ancestor', ancestor, descendant]) !== undefined;
  }

  /** Every file of `commit`, by path. */
  tree(commit: string): Map<string, TreeEntry> {
    const entries = new Map<string, TreeEntry>();
    for (const line of git(this.root, ['ls-tree', '-r', '-z', '--full-tree', commit]).split('\0')) {
      const match = /^(\d+) blob ([0-9a-f]+)\t(.+)$/s.exec(line);
      if (match?.[1] && match[2] && match[3]) entries.set(match[3], { mode: match[1], blob: match[2] });
    }
    return entries;
  }

  blob(sha: string): Buffer {
    return execFileSync('git', ['cat-file', 'blob', sha], {
      cwd: this.root,
      maxBuffer: GIT_MAX_BUFFER,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** The commits after `from` up to `to`, newest first, as `git log --format='%h %s'` prints them. */
  commits(from: string, to: string): string[] {
    return git(this.root, ['log', '--format=%h %s', `${from}..${to}`])
      .split('\n')
      .filter(Boolean);
  }

  dispose(): void {
    if (this.temporary) rmSync(this.root, { recursive: true, force: true });
  }
}
