import type { Tree } from '@nx/devkit';
import type { Team } from '@musiccorp/core/teams';
import { writeTeams } from '../../utils/teams';

/** Appends the team to platform/teams.json (existing entries keep their order, so the diff is the new entry). */
export function addTeam(tree: Tree, teams: Team[], team: Team): void {
  writeTeams(tree, [...teams, team]);
}
