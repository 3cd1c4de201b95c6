import { execFileSync } from 'node:child_process';

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
