/** The team workspace's side of a platform upgrade: its platform.json, its git status, and writing the plan. */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '@musiccorp/core/cli';
import { git, tryGit } from '@musiccorp/core/git';
import { formatJson } from '@musiccorp/core/json-format';
import { PLATFORM_FILE, type PlatformProvenance } from '@musiccorp/core/workspace/provenance';
import type { PlatformUpgradePlan } from './plan';

/** A recorded platform release the upgrade can merge against: it names a commit. */
export type RecordedRelease = PlatformProvenance & { platformCommit: string };

/** platform.json, checked for what the upgrade needs; a UsageError naming the fix otherwise. */
export function readRecordedRelease(root: string): RecordedRelease {
  const file = join(root, PLATFORM_FILE);
  if (!existsSync(file))
    throw new UsageError(
      `${root} has no ${PLATFORM_FILE}: the platform upgrade runs at the root of a per-team workspace made by \`npm run create-workspace\`, which records there the platform release it copied. Fix: run it in that workspace's root folder. (The platform's own repository takes a newer platform with git.)`,
    );
  let recorded: Partial<PlatformProvenance>;
  try {
    recorded = JSON.parse(readFileSync(file, 'utf8')) as Partial<PlatformProvenance>;
  } catch (error) {
    throw new UsageError(
      `${PLATFORM_FILE} is not JSON (${(error as Error).message}). Fix: restore it from git (\`git log -p -- ${PLATFORM_FILE}\` shows its versions).`,
    );
  }
  const { platformCommit, copied } = recorded;
  if (typeof platformCommit !== 'string' || !/^[0-9a-f]{40}$/.test(platformCommit))
    throw new UsageError(
      `${PLATFORM_FILE} records no platform commit ("platformCommit": ${JSON.stringify(platformCommit ?? null)}): the workspace was created from a platform folder outside git, so no platform commit holds the files it copied and there is nothing to merge against. Fix: set "platformCommit" to the platform commit the copy was taken from (40 hex digits), commit, and run the upgrade again.`,
    );
  if (!Array.isArray(copied) || !copied.every((path) => typeof path === 'string'))
    throw new UsageError(
      `${PLATFORM_FILE} has no "copied" list of the files taken from the platform, so the upgrade cannot tell them from the workspace's own. Fix: restore it from git (\`git log -p -- ${PLATFORM_FILE}\`).`,
    );
  return { ...(recorded as PlatformProvenance), platformCommit, copied };
}

/**
 * The files `git status` reports as changed or untracked. The upgrade's changes must be a diff of their own, and an
 * untracked file at a path the platform adds would be merged into. A workspace outside git is refused too.
 */
export function uncommittedFiles(root: string): string[] {
  if (tryGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD']) === undefined)
    throw new UsageError(
      `${root} is not a git repository with a commit: the upgrade's changes must be one reviewable diff. Fix: commit the workspace first (\`git init -b main && git add -A && git commit -m "The workspace as created"\`), then run the upgrade.`,
    );
  const fields = git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all']).split('\0');
  const files: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] ?? '';
    if (field === '') continue;
    files.push(field.slice(3));
    if (/^[RC]/.test(field)) i++; // a rename or copy: the next field is its source
  }
  return files;
}

/** Writes every change of the plan and the new platform.json; a removed file's emptied folders go with it. */
export function writePlatformUpgrade(root: string, plan: PlatformUpgradePlan, release: PlatformProvenance): void {
  for (const change of plan.changes) {
    const file = join(root, change.path);
    if (change.outcome === 'removed') {
      rmSync(file, { force: true });
      removeEmptyFolders(root, dirname(file));
      continue;
    }
    if (change.content === undefined) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, change.content);
    if (change.executable !== undefined) chmodSync(file, change.executable ? 0o755 : 0o644);
  }
  writeFileSync(join(root, PLATFORM_FILE), formatJson(release));
}

function removeEmptyFolders(root: string, folder: string): void {
  for (let current = folder; current.startsWith(`${root}/`); current = dirname(current)) {
    if (readdirSync(current).length > 0) return;
    rmdirSync(current);
  }
}
