import { tryGit } from '@musiccorp/core/git';
import { PLATFORM_VERSION } from '@musiccorp/core/provenance';

export const PLATFORM_FILE = 'platform.json';

/**
 * Where a workspace's copy of the platform came from (`platform.json` at its root): the platform version and commit,
 * and whether copied files had uncommitted changes. An upgrade diffs the platform between this commit and a newer one
 * and applies that to generators/, templates/ and tools/.
 */
export interface PlatformProvenance {
  platform: string;
  platformVersion: string;
  /** HEAD of the platform repository the copy was taken from; null outside git. */
  platformCommit: string | null;
  /** True when a copied file differed from that commit, so the commit alone does not reproduce the copy. */
  platformModified: boolean;
  /** The files copied from the platform, for the next upgrade's diff. */
  copied: string[];
}

export function platformProvenance(platformRoot: string, platformName: string, copied: string[]): PlatformProvenance {
  const commit = tryGit(platformRoot, ['rev-parse', 'HEAD'])?.trim() ?? null;
  const status = commit === null ? undefined : tryGit(platformRoot, ['status', '--porcelain', '--', ...copied]);
  return {
    platform: platformName,
    platformVersion: PLATFORM_VERSION,
    platformCommit: commit,
    platformModified: status === undefined || status.trim() !== '',
    copied,
  };
}
