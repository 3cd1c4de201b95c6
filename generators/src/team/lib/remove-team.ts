import type { Tree } from '@nx/devkit';
import type { Team } from '@musiccorp/core/teams';
import { writeTeams } from '../../utils/teams';

/** Drops the team's entry from platform/teams.json; normalize-options has checked that nothing is still its. */
export function removeTeam(tree: Tree, teams: Team[], team: Team): void {
  writeTeams(
    tree,
    teams.filter((candidate) => candidate.id !== team.id),
  );
}
