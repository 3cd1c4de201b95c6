import type { Tree } from '@nx/devkit';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators';
import type { CodeownersGeneratorSchema } from './schema';
import { syncCodeowners } from './lib/sync';
import { CODEOWNERS_FILE, EXTRA_FILE } from './lib/render';

/**
 * Global sync generator (nx.json `sync.globalGenerators`): renders the root CODEOWNERS from every project's
 * `team:<id>` tag, the platform team's handle in platform/teams.json, the platform-owned files of each service's
 * template (co-owned by the platform team) and platform/codeowners.extra. `npx nx sync`
 * writes it; `npx nx sync:check` fails while it differs. `npx nx g @musiccorp/generators:codeowners` writes it too.
 *
 * Nx calls a sync generator with the Tree alone and reads `outOfSyncMessage` from the result, while `nx g` passes the
 * options and would call a returned value as a task: so only a call without options returns the message.
 */
export async function codeownersSyncGenerator(
  tree: Tree,
  options?: CodeownersGeneratorSchema,
): Promise<SyncGeneratorResult> {
  const result = syncCodeowners(tree);
  if (options !== undefined || !result.changed) return;
  return {
    outOfSyncMessage: `${CODEOWNERS_FILE} does not match the projects' team:<id> tags, platform/teams.json, the services' templates and ${EXTRA_FILE}.`,
    outOfSyncDetails: result.details,
  };
}

export default codeownersSyncGenerator;
