import type { Tree } from '@nx/devkit';

export const TEAMS_FILE = 'platform/teams.json';

export interface Team {
  id: string;
  handle: string;
  name: string;
  members: string[];
  contact: string;
}

/** Reads the teams registry through the Tree, so generators see their own pending changes. */
export function readTeams(tree: Tree): Team[] {
  const raw = tree.read(TEAMS_FILE, 'utf-8');
  if (raw === null) {
    throw new Error(`${TEAMS_FILE} is missing. Create it with {"teams": [{"id": "…", "handle": "@org/team", …}]}.`);
  }
  let parsed: { teams?: unknown };
  try {
    parsed = JSON.parse(raw) as { teams?: unknown };
  } catch (error) {
    throw new Error(
      `${TEAMS_FILE} is not valid JSON (${(error as Error).message}). Fix the file, then run the command again.`,
    );
  }
  if (!Array.isArray(parsed.teams)) {
    throw new Error(`${TEAMS_FILE} must hold {"teams": [...]}: add the "teams" array.`);
  }
  parsed.teams.forEach((team: Partial<Team>, index) => {
    for (const field of ['id', 'handle'] as const) {
      if (typeof team?.[field] !== 'string' || team[field] === '') {
        throw new Error(
          `${TEAMS_FILE}: teams[${index}] has no "${field}". Give every team an "id" and a GitHub "handle".`,
        );
      }
    }
  });
  return parsed.teams as Team[];
}

export function findTeam(tree: Tree, id: string): Team {
  const teams = readTeams(tree);
  const team = teams.find((candidate) => candidate.id === id);
  if (!team) {
    const known = teams.map((candidate) => candidate.id).join(', ');
    throw new Error(`Unknown team "${id}". Use one of: ${known} — or add the team to ${TEAMS_FILE} first.`);
  }
  return team;
}
