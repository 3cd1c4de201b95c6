import { getProjects, type Tree } from '@nx/devkit';
import { SERVICE_TAG } from '@musiccorp/core/services';
import { PLATFORM_TEAM, readDefaultOwner, readTeams, TEAMS_FILE, type Team } from '../../utils/teams';
import { CODEOWNERS_LOCATIONS, parseCodeowners } from '@musiccorp/core/codeowners/codeowners-file';
import { buildRegistry, ownerProblem } from '@musiccorp/core/teams';
import { CODEOWNERS_FILE, EXTRA_FILE, normalizeExtra, type CodeownersInput, type ProjectOwner } from './render';

const TEAM_TAG = 'team:';
/** Folder names that need no escaping in a CODEOWNERS pattern (no glob characters, spaces, `#`, `!` or `\`). */
const PLAIN_ROOT = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Everything CODEOWNERS is rendered from, read through the Tree (so a generator's pending changes count): the
 * platform team's handle and every project's `team:<id>` tag from the project configurations, and the extra rules.
 * Every problem is collected, then thrown together, each naming the fix.
 */
export function collectCodeowners(tree: Tree): CodeownersInput {
  const problems: string[] = [];
  for (const location of CODEOWNERS_LOCATIONS) {
    if (location !== CODEOWNERS_FILE && tree.exists(location)) {
      problems.push(
        `${location} exists: GitHub ${location.startsWith('.github/') ? `reads it instead of ${CODEOWNERS_FILE}` : `ignores it (${CODEOWNERS_FILE} comes first)`}. Move its hand-written rules into ${EXTRA_FILE} and delete it.`,
      );
    }
  }

  const teams = readTeams(tree);
  const byId = new Map(teams.map((team) => [team.id, team]));
  const defaultOwner = readDefaultOwner(tree);
  const platform = byId.get(defaultOwner);
  if (!platform) {
    problems.push(
      defaultOwner === PLATFORM_TEAM
        ? `${TEAMS_FILE} has no team "${PLATFORM_TEAM}": it owns everything no project claims. Add it: npx nx g @musiccorp/generators:team ${PLATFORM_TEAM} --members=<github-user>`
        : `${TEAMS_FILE} names "defaultOwner": "${defaultOwner}", which is not one of its teams (${[...byId.keys()].join(', ')}). Name a listed team, or add that team first.`,
    );
  }

  const projects = projectOwners(tree, byId, problems);
  const extra = readExtra(tree, teams, problems);
  if (problems.length > 0 || !platform) throw new CodeownersError(problems);
  return { platformHandle: platform.handle, defaultOwner, projects, extra };
}

export class CodeownersError extends Error {
  constructor(readonly problems: string[]) {
    super([`${CODEOWNERS_FILE} cannot be generated:`, ...problems.map((problem) => `  - ${problem}`)].join('\n'));
    this.name = 'CodeownersError';
  }
}

function projectOwners(tree: Tree, byId: Map<string, Team>, problems: string[]): ProjectOwner[] {
  const owners: ProjectOwner[] = [];
  const known = [...byId.keys()].join(', ');
  for (const [name, project] of getProjects(tree)) {
    const tags = project.tags ?? [];
    const teamTags = tags.filter((tag) => tag.startsWith(TEAM_TAG));
    const where = `project "${name}" (${project.root}/project.json)`;
    if (teamTags.length === 0) {
      if (tags.includes(SERVICE_TAG)) {
        problems.push(
          `${where} is a ${SERVICE_TAG} without a team:<id> tag; every service has an owning team. Add the tag "team:<id>" (one of: ${known}).`,
        );
      }
      continue; // platform projects without a team fall under the platform team's catch-all
    }
    if (teamTags.length > 1) {
      problems.push(`${where} has ${teamTags.length} team tags (${teamTags.join(', ')}); keep exactly one.`);
      continue;
    }
    const id = (teamTags[0] ?? TEAM_TAG).slice(TEAM_TAG.length);
    const team = byId.get(id);
    if (!team) {
      problems.push(
        `${where} is tagged team:${id}, which is not in ${TEAMS_FILE}. Register the team (npx nx g @musiccorp/generators:team ${id || '<id>'} --members=<github-user>) or correct the tag (one of: ${known}).`,
      );
      continue;
    }
    const root = project.root.replace(/^\.\/+/, '').replace(/\/+$/, '');
    if (root === '' || root === '.') {
      if (id !== PLATFORM_TEAM)
        problems.push(
          `${where} is the workspace root: it belongs to the platform team, so tag it team:${PLATFORM_TEAM}.`,
        );
      continue; // the catch-all rule
    }
    if (!PLAIN_ROOT.test(root)) {
      problems.push(
        `${where}: the folder "${root}" has characters CODEOWNERS patterns would read as syntax; use letters, digits, ".", "_" and "-".`,
      );
      continue;
    }
    owners.push({ name, root, handle: team.handle });
  }
  return owners;
}

/** platform/codeowners.extra, validated with GitHub's syntax and the registry's owner policy (as `owners check`). */
function readExtra(tree: Tree, teams: Team[], problems: string[]): string | null {
  const text = tree.read(EXTRA_FILE, 'utf-8');
  const extra = normalizeExtra(text);
  if (text === null || extra === null) return null;
  const parsed = parseCodeowners(text, EXTRA_FILE);
  for (const problem of parsed.problems) {
    problems.push(`${EXTRA_FILE}:${problem.line}: ${problem.message}; fix: ${problem.fix}.`);
  }
  const registry = buildRegistry(teams);
  for (const rule of parsed.rules) {
    for (const owner of new Set(rule.owners)) {
      const problem = ownerProblem(owner, registry);
      if (problem) problems.push(`${EXTRA_FILE}:${rule.line}: ${problem.message}; fix: ${problem.fix}.`);
    }
  }
  return extra;
}
