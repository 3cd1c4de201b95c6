import { checkedOutRevision } from '../git';
import { PLATFORM_VERSION } from '../provenance';

export const PLATFORM_FILE = 'platform.json';

/**
 * Where a workspace's copy of the platform came from (`platform.json` at its root): the platform version and commit,
 * and whether copied files had uncommitted changes. `npm run platform-upgrade` 3-way merges every copied file between
 * this commit and a newer one of the platform, then records the newer one here.
 */
export interface PlatformProvenance {
  platform: string;
  platformVersion: string;
  /** HEAD of the platform repository the copy was taken from; null outside git. */
  platformCommit: string | null;
  /** True when a copied file differed from that commit, so the commit alone does not reproduce the copy. */
  platformModified: boolean;
  /** The files copied from the platform (a platform file the team deleted too), for the next upgrade's merge. */
  copied: string[];
}

export function platformProvenance(platformRoot: string, platformName: string, copied: string[]): PlatformProvenance {
  const { commit, modified } = checkedOutRevision(platformRoot, copied);
  return {
    platform: platformName,
    platformVersion: PLATFORM_VERSION,
    platformCommit: commit,
    platformModified: modified,
    copied,
  };
}
