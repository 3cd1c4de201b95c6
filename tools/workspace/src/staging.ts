import { chmodSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '@musiccorp/core/cli';

/**
 * Where a target folder given on the command line points. `npm run` starts scripts in the package root, so a relative
 * folder is resolved against INIT_CWD, the directory the user typed the command in.
 */
export function resolveTarget(dir: string, cwd = process.env.INIT_CWD ?? process.cwd()): string {
  return resolve(cwd, dir);
}

/** Why the workspace cannot be created at `target`, with the fix; undefined when it can (absent, or an empty folder). */
export function targetProblem(target: string): string | undefined {
  const parent = dirname(target);
  if (!isDirectory(parent)) {
    return `The parent folder ${parent} does not exist. Create it first (mkdir -p ${parent}), or choose another <dir>.`;
  }
  let entries: string[];
  try {
    if (!statSync(target).isDirectory()) return `${target} exists and is not a folder. Choose another <dir>.`;
    entries = readdirSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (entries.length === 0) return undefined;
  const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? ', …' : '');
  return `${target} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${shown}). Choose a new folder, or empty this one first.`;
}

export function assertTargetUsable(target: string): void {
  const problem = targetProblem(target);
  if (problem) throw new UsageError(problem);
}

/**
 * The folder the workspace is built in: beside the target, so it is on the same filesystem and moving it into place
 * is one rename — the target holds either nothing or the whole workspace, never half of one.
 */
export class Staging {
  private constructor(
    readonly path: string,
    readonly target: string,
  ) {}

  static beside(target: string): Staging {
    const path = mkdtempSync(join(dirname(target), `.${basename(target)}.creating-`));
    chmodSync(path, 0o777 & ~process.umask()); // mkdtemp's 0700 would become the workspace's mode
    return new Staging(path, target);
  }

  /** Renames the finished workspace to the target (rename(2) replaces an empty folder, and refuses a non-empty one). */
  promote(): void {
    try {
      renameSync(this.path, this.target);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        throw new UsageError(
          `${this.target} was filled while the workspace was being created. ${targetProblem(this.target) ?? ''}`.trim(),
        );
      }
      throw error;
    }
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true, maxRetries: 3 });
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
