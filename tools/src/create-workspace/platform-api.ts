/* eslint-disable @nx/enforce-module-boundaries --
 * The workspace creator runs the platform's own generators code (the one render module, the team generator with its
 * validation, CODEOWNERS generation, the prettier-style JSON printer) rather than copies of it. generators/ imports
 * the owners engine from tools/, so this is a tools ⇄ generators cycle (declared as implicitDependencies both ways);
 * the rule's circular-dependency error is silenced in this one file, and neither project has a build to order.
 */
export { renderTemplate, templateDir, type Answers } from '@musiccorp/generators/src/render/render';
export { teamGenerator } from '@musiccorp/generators/src/team/generator';
export { normalizeOptions as normalizeTeamOptions } from '@musiccorp/generators/src/team/lib/normalize-options';
export type { TeamGeneratorSchema } from '@musiccorp/generators/src/team/schema';
export { PLATFORM_VERSION } from '@musiccorp/generators/src/service/lib/provenance';
export { formatJson } from '@musiccorp/generators/src/utils/json-format';
export { ownersOf } from '@musiccorp/generators/src/codeowners/lib/sync';
export {
  PLATFORM_TEAM,
  readTeams,
  TEAMS_FILE,
  TEAMS_SCHEMA_FILE,
  type Team,
} from '@musiccorp/generators/src/utils/teams';
