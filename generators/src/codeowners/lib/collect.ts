import { posix } from 'node:path';
import { getProjects, type Tree } from '@nx/devkit';
import { SERVICE_TAG } from '@musiccorp/core/services';
import { PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';
import { readManifest, renderedPaths, TEMPLATES_ROOT } from '@musiccorp/core/render';
import { readDefaultOwner, readTeams } from '../../utils/teams';
import { CODEOWNERS_LOCATIONS, parseCodeowners } from '@musiccorp/core/codeowners/codeowners-file';
import { buildRegistry, ownerProblem, PLATFORM_TEAM, TEAMS_FILE, type Team } from '@musiccorp/core/teams';
import { CODEOWNERS_FILE, EXTRA_FILE, normalizeExtra, type CodeownersInput, type ProjectOwner } from './render';
import { platformOwnedPatterns } from './platform-owned';

const TEAM_TAG = 'team:';
/** Paths that need no escaping in a CODEOWNERS pattern (no glob characters, spaces, `#`, `!` or `\`). */
const PLAIN_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/**
 * Everything CODEOWNERS is rendered from, read through the Tree (so a generator's pending changes count): the
 * platform team's handle and every project's `team:<id>` tag from the project configurations, each service's
 * platform-owned files (from its provenance and its template in the working tree), and the extra rules.
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
  const platformTeam = byId.get(PLATFORM_TEAM);
  // A per-team workspace may list no platform team: then no one is there to co-own the platform-owned files.
  if (platformTeam) addCoOwnership(tree, projects, platformTeam, problems);
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
    if (!PLAIN_PATH.test(root)) {
      problems.push(
        `${where}: the folder "${root}" has characters CODEOWNERS patterns would read as syntax; use letters, digits, ".", "_" and "-".`,
      );
      continue;
    }
    owners.push({ name, root, handle: team.handle });
  }
  return owners;
}

/**
 * The platform team co-owns each service's platform-owned files: the drift check keeps them exactly as the template
 * rendered them, so a change there is the platform's to review too. A project gets co-owners when it has a
 * template-provenance.json (it was rendered from a template) and is not the platform team's own.
 */
function addCoOwnership(tree: Tree, projects: ProjectOwner[], platformTeam: Team, problems: string[]): void {
  for (const project of projects) {
    if (project.handle === platformTeam.handle) continue;
    const provenanceFile = posix.join(project.root, PROVENANCE_FILE);
    const text = tree.read(provenanceFile, 'utf-8');
    if (text === null) continue; // not rendered from a template: the team's folder alone
    const where = `${provenanceFile} (project "${project.name}")`;
    let provenance: Partial<Provenance> | null;
    try {
      provenance = JSON.parse(text) as Partial<Provenance> | null;
    } catch (error) {
      problems.push(`${where} is not valid JSON (${(error as Error).message}). Restore it from git.`);
      continue;
    }
    const { template, platformVersion, answers } = provenance ?? {};
    if (
      typeof template !== 'string' ||
      typeof platformVersion !== 'string' ||
      typeof answers !== 'object' ||
      !answers
    ) {
      problems.push(
        `${where} needs "template" (a folder of templates/), "platformVersion" and "answers". Restore it from git.`,
      );
      continue;
    }
    let rendered: string[];
    let teamOwned: string[];
    try {
      // the answers a render gets (as the drift check renders): only those in file names matter here
      rendered = renderedPaths(template, { ...answers, platformVersion }, TEMPLATES_ROOT);
      teamOwned = readManifest(template, TEMPLATES_ROOT).teamOwned;
    } catch (error) {
      problems.push(`${where} names template "${template}": ${(error as Error).message}`);
      continue;
    }
    const unplain = rendered.filter((path) => !PLAIN_PATH.test(path));
    if (unplain.length > 0) {
      problems.push(
        `templates/${template} renders ${unplain.map((path) => `"${path}"`).join(', ')} into ${project.root}: CODEOWNERS patterns would read those names as syntax. Rename the template files (and answers used in file names) to letters, digits, ".", "_" and "-".`,
      );
      continue;
    }
    const patterns = platformOwnedPatterns(rendered, teamOwned, (path) => tree.exists(posix.join(project.root, path)));
    if (patterns.length > 0) project.coOwned = { template, handle: platformTeam.handle, patterns };
  }
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
