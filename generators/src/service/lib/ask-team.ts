import type { Tree } from '@nx/devkit';
import { readTeams } from '../../utils/teams';

/** Nx prompts only when `nx g` runs interactively (not --no-interactive) in a terminal; so do we. */
function interactive(): boolean {
  return process.env['NX_INTERACTIVE'] === 'true' && Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/**
 * The owning team's id: `--team` when given; otherwise, in a terminal, a list of the registry's teams to pick from
 * (a free-text prompt would let Enter submit nothing); otherwise an error that lists them.
 */
export async function askTeam(tree: Tree, team: string | undefined): Promise<string> {
  if (team !== undefined && team.trim() !== '') return team;
  const teams = readTeams(tree);
  if (!interactive()) {
    const ids = teams.map((candidate) => candidate.id);
    throw new Error(
      `--team is required: the id of the owning team in platform/teams.json, one of ${ids.join(', ')} (e.g. --team=${ids.find((id) => id !== 'platform') ?? ids[0]}). A new team: npx nx g @musiccorp/generators:team <id> first.`,
    );
  }
  const { default: Enquirer } = await import('enquirer');
  const answer = await Enquirer.prompt<{ team: string }>({
    type: 'select',
    name: 'team',
    message: 'Which team owns it?',
    choices: teams.map((candidate) => ({ name: candidate.id, hint: `${candidate.name} (${candidate.handle})` })),
  });
  return answer.team;
}
