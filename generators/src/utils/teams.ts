import type { Tree } from '@nx/devkit';
import { formatJson } from '@musiccorp/core/json-format';
import type { RootSchema, SchemaProblem } from '@musiccorp/core/json-schema';
import {
  describePath,
  PLATFORM_TEAM,
  registryProblems,
  TEAMS_FILE,
  TEAMS_SCHEMA_FILE,
  type Team,
} from '@musiccorp/core/teams';

/** platform/teams.json as stored: the `$schema` pointer is kept when the generators write the file back. */
interface RegistryFile {
  $schema?: string;
  /** Id of the CODEOWNERS catch-all team; PLATFORM_TEAM when absent (a per-team workspace names its own team). */
  defaultOwner?: string;
  teams: Team[];
}

/**
 * Reads the teams registry through the Tree, so generators see their own pending changes, and validates it against
 * platform/teams.schema.json with the rules of `npm run owners -- check` (tools/owners/teams.ts): a problem names
 * the entry (index and id) and the field, and the fix.
 */
export function readTeams(tree: Tree): Team[] {
  return readRegistryFile(tree).teams;
}

/** Id of the team that owns every file no project claims: the registry's `defaultOwner`, else the platform team. */
export function readDefaultOwner(tree: Tree): string {
  return readRegistryFile(tree).defaultOwner ?? PLATFORM_TEAM;
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

/** Writes the registry (keeping its `$schema`), printed like prettier; refuses to write an invalid one. */
export function writeTeams(tree: Tree, teams: Team[]): void {
  const current = tree.exists(TEAMS_FILE) ? readRegistryFile(tree) : {};
  const next: RegistryFile = { ...current, teams };
  const problems = registryProblems(next, readSchema(tree));
  if (problems.length > 0) throw new Error(invalidRegistryMessage(problems, next));
  tree.write(TEAMS_FILE, formatJson(next));
}

/** The problems `registry` would have (schema and cross-entry rules), raw: the path says which entry and field. */
export function teamsProblems(tree: Tree, registry: { teams: Team[] }): SchemaProblem[] {
  return registryProblems(registry, readSchema(tree));
}

function readRegistryFile(tree: Tree): RegistryFile {
  const raw = tree.read(TEAMS_FILE, 'utf-8');
  if (raw === null) {
    throw new Error(
      `${TEAMS_FILE} is missing. Create it with {"teams": [{"id": "platform", "handle": "@musiccorp/platform", "name": "Platform", "members": ["<github-user>"], "contact": "#platform"}]}.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Error(
      `${TEAMS_FILE} is not valid JSON (${(error as Error).message}). Fix the file (\`npm run owners -- check\` shows the line), then run the command again.`,
    );
  }
  const problems = registryProblems(parsed, readSchema(tree));
  if (problems.length > 0) throw new Error(invalidRegistryMessage(problems, parsed));
  return parsed as RegistryFile;
}

function invalidRegistryMessage(problems: SchemaProblem[], data: unknown): string {
  const lines = problems.map((problem) => `  - ${describePath(problem.path, data)} ${problem.message}: ${problem.fix}`);
  return [
    `${TEAMS_FILE} does not follow ${TEAMS_SCHEMA_FILE}:`,
    ...lines,
    `Fix ${TEAMS_FILE} (\`npm run owners -- check\` shows the line of each problem), then run the command again.`,
  ].join('\n');
}

function readSchema(tree: Tree): RootSchema {
  const raw = tree.read(TEAMS_SCHEMA_FILE, 'utf-8');
  if (raw === null) {
    throw new Error(
      `${TEAMS_SCHEMA_FILE} is missing, so ${TEAMS_FILE} cannot be validated. Restore it: git checkout -- ${TEAMS_SCHEMA_FILE}`,
    );
  }
  try {
    return JSON.parse(raw) as RootSchema;
  } catch (error) {
    throw new Error(`${TEAMS_SCHEMA_FILE} is not valid JSON (${(error as Error).message}). Restore it from git.`);
  }
}
