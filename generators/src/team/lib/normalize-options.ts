import { getProjects, type Tree } from '@nx/devkit';
import { EXTRA_FILE } from '../../codeowners/lib/render';
import { parseCodeowners } from '@musiccorp/core/codeowners/codeowners-file';
import { ORG, PLATFORM_TEAM, TEAMS_FILE, type Team } from '@musiccorp/core/teams';
import { SERVICE_TAG } from '@musiccorp/core/services';
import { readTeams, teamsProblems } from '../../utils/teams';
import { suggestName } from '../../utils/names';
import type { TeamGeneratorSchema } from '../schema';

/** The registry's id rule (platform/teams.schema.json): a DNS-1123-style label, the team's GitHub slug. */
const TEAM_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const USAGE = 'e.g. `nx g @musiccorp/generators:team royalties --members=alice,bob`';

export type NormalizedOptions =
  { action: 'add'; team: Team; teams: Team[] } | { action: 'remove'; team: Team; teams: Team[] };

/** Validates every option before anything is written: a bad option throws, and the Tree is never flushed. */
export function normalizeOptions(tree: Tree, options: TeamGeneratorSchema): NormalizedOptions {
  const id = typeof options.id === 'string' ? options.id.trim() : '';
  if (id === '') throw new Error(`A team id is required, ${USAGE}.`);
  if (!TEAM_ID.test(id)) {
    const suggestion = suggestName(id);
    throw new Error(
      `Team id "${id}" must be kebab-case: lowercase letters and digits, words joined by single hyphens, starting with a letter (it becomes the project tag team:<id> and the GitHub team @${ORG}/<id>).${suggestion && TEAM_ID.test(suggestion) ? ` Try "${suggestion}".` : ''}`,
    );
  }
  const teams = readTeams(tree);
  return options.remove ? normalizeRemove(tree, id, options, teams) : normalizeAdd(tree, id, options, teams);
}

function normalizeAdd(tree: Tree, id: string, options: TeamGeneratorSchema, teams: Team[]): NormalizedOptions {
  const existing = teams.find((team) => team.id === id);
  if (existing) {
    throw new Error(
      `Team "${id}" already exists in ${TEAMS_FILE} (${existing.handle}, "${existing.name}"). Choose another id, or edit that entry in ${TEAMS_FILE}.`,
    );
  }
  const handle = `@${ORG}/${id}`;
  if (options.handle !== undefined && options.handle.trim() !== handle) {
    throw new Error(
      `--handle must be "${handle}" (got "${options.handle}"): the handle is the GitHub team of the id in the ${ORG} organisation. Leave --handle out to take it.`,
    );
  }
  const name = options.name?.trim() || titleCase(id);
  if (/[\r\n]/.test(name)) throw new Error('--name must be a single line.');
  const members = parseMembers(options.members);
  if (members.length === 0) {
    throw new Error(
      `--members is required: the GitHub usernames of the team, comma-separated — at least one, so someone can approve its changes (${USAGE}).`,
    );
  }
  const team: Team = { id, handle, name, members, contact: options.contact?.trim() || `#team-${id}` };

  // The schema is the one source of the field rules: report its problems with the entry under the option's name.
  const index = teams.length;
  const problems = teamsProblems(tree, { teams: [...teams, team] });
  if (problems.length > 0) {
    const lines = problems.map((problem) => {
      const [, at, field, item] = problem.path;
      const option = at === index && typeof field === 'string' ? `--${field}` : problem.path.join('.');
      const which =
        field === 'members' && typeof item === 'number' ? ` (item ${item + 1}, "${String(members[item])}")` : '';
      return `  - ${option}${which} ${problem.message}: ${problem.fix}`;
    });
    throw new Error([`Team "${id}" would not be a valid ${TEAMS_FILE} entry:`, ...lines].join('\n'));
  }
  return { action: 'add', team, teams };
}

function normalizeRemove(tree: Tree, id: string, options: TeamGeneratorSchema, teams: Team[]): NormalizedOptions {
  const extras = (['handle', 'name', 'members', 'contact'] as const).filter((key) => options[key] !== undefined);
  if (extras.length > 0) {
    throw new Error(
      `--remove takes only the team id; drop ${extras.map((key) => `--${key}`).join(', ')}: nx g @musiccorp/generators:team ${id} --remove`,
    );
  }
  const team = teams.find((candidate) => candidate.id === id);
  if (!team) {
    throw new Error(`Unknown team "${id}": ${TEAMS_FILE} lists ${teams.map((known) => known.id).join(', ')}.`);
  }
  if (id === PLATFORM_TEAM) {
    throw new Error(
      `Team "${PLATFORM_TEAM}" cannot be removed: it owns everything no project claims in CODEOWNERS (root files, generators/, templates/, platform/, tools/, …).`,
    );
  }

  const owned = [...getProjects(tree)]
    .filter(([, project]) => (project.tags ?? []).includes(`team:${id}`))
    .map(([name, project]) => ({ name, root: project.root, service: (project.tags ?? []).includes(SERVICE_TAG) }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  if (owned.length > 0) {
    const services = owned.filter((project) => project.service);
    const list = owned.map((project) => `${project.name} (${project.root})`).join(', ');
    const first = (services[0] ?? owned[0])?.name;
    throw new Error(
      `Team "${id}" still owns ${owned.length === services.length ? `${owned.length} service${owned.length > 1 ? 's' : ''}` : `${owned.length} project${owned.length > 1 ? 's' : ''}`}: ${list}. Give ${owned.length > 1 ? 'each' : 'it'} to another team first, e.g. npx nx g @musiccorp/generators:transfer ${first} --to=<team>, then remove the team.`,
    );
  }

  const extra = tree.read(EXTRA_FILE, 'utf-8');
  if (extra !== null) {
    const lines = parseCodeowners(extra, EXTRA_FILE)
      .rules.filter((rule) => rule.owners.includes(team.handle))
      .map((rule) => rule.line);
    if (lines.length > 0) {
      throw new Error(
        `${EXTRA_FILE} still names ${team.handle} (line${lines.length > 1 ? 's' : ''} ${lines.join(', ')}). Give those rules to another team first, then remove the team.`,
      );
    }
  }
  return { action: 'remove', team, teams };
}

/** Comma- or space-separated usernames (an array too), without a leading "@", each once. */
function parseMembers(members: TeamGeneratorSchema['members']): string[] {
  const raw = Array.isArray(members) ? members : typeof members === 'string' ? [members] : [];
  const names = raw
    .flatMap((entry) => String(entry).split(/[\s,]+/))
    .map((name) => name.replace(/^@/, ''))
    .filter(Boolean);
  return [...new Set(names)];
}

function titleCase(id: string): string {
  return id
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
