import type { Tree } from '@nx/devkit';
import type { TeamGeneratorSchema } from './schema';
import { normalizeOptions } from './lib/normalize-options';
import { addTeam } from './lib/add-team';
import { removeTeam } from './lib/remove-team';
import { syncCodeowners } from '../codeowners/lib/sync';

/**
 * `nx g @musiccorp/generators:team <id> --members=a,b [--name …] [--contact …]` adds a team to platform/teams.json;
 * `… team <id> --remove` removes one that owns nothing. Everything is checked before anything is written, and
 * CODEOWNERS is rendered again, so `nx sync:check` passes right after.
 */
export async function teamGenerator(tree: Tree, schema: TeamGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  if (options.action === 'add') {
    addTeam(tree, options.teams, options.team);
  } else {
    removeTeam(tree, options.teams, options.team);
  }
  syncCodeowners(tree);
}

export default teamGenerator;
