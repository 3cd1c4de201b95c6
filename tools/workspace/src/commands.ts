import { execa } from 'execa';
import { git, headCommit, tryGit } from '@musiccorp/core/git';

/** Flags for an install from what the platform already verified: the local cache first, no network round trips. */
export const NPM_INSTALL_ARGS = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/**
 * `npm install` in the new workspace, its output kept for an error message. `npm run` passes its own location to
 * scripts (npm_config_local_prefix): left in, the install would target the platform instead of the workspace.
 */
export async function npmInstall(root: string, signal: AbortSignal): Promise<void> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_(config_local_prefix|package_|lifecycle_)/i.test(key)),
  );
  const result = await execa('npm', NPM_INSTALL_ARGS, {
    cwd: root,
    env,
    extendEnv: false,
    all: true,
    reject: false,
    cancelSignal: signal,
  });
  if (result.isCanceled) throw signal.reason;
  if (result.exitCode !== 0) {
    const tail = (result.all ?? '').trim().split('\n').slice(-15).join('\n');
    throw new Error(
      `npm install failed (exit code ${result.exitCode}):\n${tail}\nFix the cause, or pass --no-install and run \`npm ci\` in the workspace later.`,
    );
  }
}

/** Who authors the initial commit: the user's git identity, or the creator's when git has none configured. */
const CREATOR_IDENTITY = ['-c', 'user.name=MusicCorp workspace creator', '-c', 'user.email=platform@musiccorp.example'];

/** `git init` on branch main (nx.json's defaultBase) and one commit holding every file; returns its hash. */
export function initialCommit(root: string, message: string): string {
  git(root, ['init', '-q', '-b', 'main']);
  git(root, ['add', '-A']);
  const identity = tryGit(root, ['config', 'user.email'])?.trim() ? [] : CREATOR_IDENTITY;
  git(root, [...identity, 'commit', '-q', '--no-verify', '-m', message]);
  return headCommit(root);
}
