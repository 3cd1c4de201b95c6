/**
 * The teams registry (platform/teams.json): validation against platform/teams.schema.json, and the ownership policy that
 * `check` applies to CODEOWNERS owners:
 *  - `@musiccorp/<id>` must be a registered team handle (exact spelling);
 *  - `@user` must be a member of at least one registered team;
 *  - other organisations' teams and email addresses are refused: the registry cannot vouch for them.
 * The schema is the single source of the field rules (json-schema.ts enforces it with ajv in strict mode, refusing what
 * ajv would not enforce); what JSON Schema cannot say — unique ids, handle = "@musiccorp/" + id — is checked here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  lineFinder,
  parseJsonFile,
  validateSchema,
  type JsonFileProblem,
  type JsonPath,
  type RootSchema,
  type SchemaProblem,
} from './json-schema';

export const TEAMS_FILE = 'platform/teams.json';
export const TEAMS_SCHEMA_FILE = 'platform/teams.schema.json';
export const ORG = 'musiccorp';
/**
 * The team that owns everything no project claims (the CODEOWNERS catch-all: root files, generators/, templates/,
 * platform/, tools/, .github/, e2e/, bench/, deploy/). Its handle comes from its registry entry; it cannot be removed.
 */
export const PLATFORM_TEAM = 'platform';

export interface Team {
  id: string;
  handle: string;
  name: string;
  members: string[];
  contact: string;
}

export interface Registry {
  teams: Team[];
  byHandle: Map<string, Team>;
  /** GitHub username → ids of the teams it belongs to. */
  memberOf: Map<string, string[]>;
}

export type RegistryProblem = JsonFileProblem;

let schemaCache: RootSchema | undefined;
/** The workspace's schema, found upward from this module: it runs from tools/owners or from a bundle in tools/.cache. */
function findSchema(folder: string): string {
  for (; dirname(folder) !== folder; folder = dirname(folder)) {
    if (existsSync(join(folder, TEAMS_SCHEMA_FILE))) return join(folder, TEAMS_SCHEMA_FILE);
  }
  return '';
}
// The generators bundle this module as CommonJS (esbuild), where import.meta is empty: they pass the workspace's
// schema to registryProblems themselves and never call the functions that read SCHEMA_PATH.
export const SCHEMA_PATH =
  typeof import.meta.url === 'string' ? findSchema(dirname(fileURLToPath(import.meta.url))) : '';
function schema(): RootSchema {
  schemaCache ??= JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as RootSchema;
  return schemaCache;
}

/** `teams[2] ("finance").handle` — names the entry by index and id so the message is findable either way. */
export function describePath(path: JsonPath, root: unknown): string {
  let out = '';
  let value: unknown = root;
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : key;
    value = (value as Record<string | number, unknown> | undefined)?.[key];
    if (
      typeof key === 'number' &&
      value &&
      typeof value === 'object' &&
      typeof (value as { id?: unknown }).id === 'string'
    ) {
      out += ` ("${(value as { id: string }).id}")`;
    }
  }
  return out || '(top level)';
}

/** What the schema cannot express: unique ids and handles, handle = "@musiccorp/" + id, members are unique per team. */
function semanticProblems(teams: Team[], out: SchemaProblem[]): void {
  const ids = new Map<string, number>();
  teams.forEach((team, i) => {
    if (typeof team.id !== 'string') return;
    const first = ids.get(team.id);
    if (first !== undefined) {
      out.push({
        path: ['teams', i, 'id'],
        message: `repeats the id of teams[${first}]`,
        fix: 'give every team its own id, or merge the two entries',
      });
    } else ids.set(team.id, i);
    const expected = `@${ORG}/${team.id}`;
    if (typeof team.handle === 'string' && team.handle !== expected) {
      out.push({
        path: ['teams', i, 'handle'],
        message: `must be "${expected}" (got "${team.handle}")`,
        fix: `set "handle": "${expected}" — the handle is the GitHub team of the id`,
      });
    }
  });
}

/**
 * Every problem of parsed registry data: the schema's field rules, then what the schema cannot say. Synchronous and
 * free of I/O, so the generators validate with the same rules (passing the workspace's schema).
 */
export function registryProblems(data: unknown, rootSchema: RootSchema): SchemaProblem[] {
  const problems = validateSchema(data, rootSchema);
  const teams = (data as { teams?: unknown } | null)?.teams;
  if (Array.isArray(teams))
    semanticProblems(teams.filter((team) => team && typeof team === 'object') as Team[], problems);
  return problems;
}

/** Parses and validates a registry text; `registry` is set only when there are no problems. */
export async function validateRegistry(
  text: string,
  file = TEAMS_FILE,
): Promise<{ registry: Registry | null; problems: RegistryProblem[] }> {
  const parsed = await parseJsonFile(text, file);
  if ('problem' in parsed) return { registry: null, problems: [parsed.problem] };
  const raw = registryProblems(parsed.value, schema());
  if (raw.length > 0) {
    const problems = await locateProblems(text, file, parsed.value, raw);
    return { registry: null, problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
  }
  return { registry: buildRegistry((parsed.value as { teams: Team[] }).teams), problems: [] };
}

/** Schema problems of a JSON file, each at its line and named by its path in `value` (describePath). */
export async function locateProblems(
  text: string,
  file: string,
  value: unknown,
  found: readonly SchemaProblem[],
): Promise<RegistryProblem[]> {
  const lineOf = await lineFinder(text);
  return found.map((problem) => ({
    file,
    line: lineOf(problem.path),
    message: `${describePath(problem.path, value)} ${problem.message}`,
    fix: problem.fix,
  }));
}

export function buildRegistry(teams: Team[]): Registry {
  const memberOf = new Map<string, string[]>();
  for (const team of teams) {
    for (const member of team.members) memberOf.set(member, [...(memberOf.get(member) ?? []), team.id]);
  }
  return { teams, byHandle: new Map(teams.map((team) => [team.handle, team])), memberOf };
}

/** Reads `<repo>/platform/teams.json`. A missing file is a problem too: `check` cannot vouch for any owner. */
export async function loadRegistry(repo: string): Promise<{ registry: Registry | null; problems: RegistryProblem[] }> {
  const path = join(repo, TEAMS_FILE);
  if (!existsSync(path)) {
    return {
      registry: null,
      problems: [
        {
          file: TEAMS_FILE,
          line: null,
          message: 'is missing',
          fix: `create it: {"teams": [{"id": "platform", "handle": "@${ORG}/platform", "name": "Platform", "members": ["<github-user>"], "contact": "#platform"}]}`,
        },
      ],
    };
  }
  return validateRegistry(readFileSync(path, 'utf8'), TEAMS_FILE);
}

/** Small edit distance, for "did you mean" suggestions. */
function distance(a: string, b: string): number {
  // One row per character of `a`: row[j] is the distance between the part of `a` read so far and b's first j
  // characters. `diagonal`, `above` and `left` are the three neighbours the next cell is computed from.
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  let last = b.length;
  for (const [i, charA] of a.split('').entries()) {
    let diagonal = i;
    let left = i + 1;
    const next = [left];
    for (const [j, above] of row.slice(1).entries()) {
      left = Math.min(above + 1, left + 1, diagonal + (charA === b[j] ? 0 : 1));
      next.push(left);
      diagonal = above;
    }
    row = next;
    last = left;
  }
  return last;
}

function closest(value: string, options: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const option of options) {
    const d = option.toLowerCase() === value.toLowerCase() ? 0 : distance(value, option);
    if (d < bestDistance) [best, bestDistance] = [option, d];
  }
  return bestDistance <= Math.max(2, Math.floor(value.length / 4)) ? best : undefined;
}

/** Why `owner` (already well-formed) is not acceptable under the registry policy, or null when it is. */
export function ownerProblem(owner: string, registry: Registry): { message: string; fix: string } | null {
  const handles = [...registry.byHandle.keys()];
  if (owner.includes('/')) {
    if (registry.byHandle.has(owner)) return null;
    const suggestion = closest(owner, handles);
    return {
      message: `team ${owner} is not in ${TEAMS_FILE}`,
      fix: suggestion
        ? `did you mean ${suggestion}? Otherwise register the team in ${TEAMS_FILE}`
        : `register the team in ${TEAMS_FILE} or use one of: ${handles.join(', ')}`,
    };
  }
  if (owner.startsWith('@')) {
    const user = owner.slice(1);
    if (registry.memberOf.has(user)) return null;
    const suggestion = closest(user, registry.memberOf.keys());
    return {
      message: `user ${owner} is not a member of any team in ${TEAMS_FILE}`,
      fix: suggestion
        ? `did you mean @${suggestion}? Otherwise add ${user} to a team's "members", or use the team handle`
        : `add ${user} to a team's "members" in ${TEAMS_FILE}, or use the team handle (e.g. ${handles[0] ?? `@${ORG}/<team>`})`,
    };
  }
  return {
    message: `email owner ${owner} cannot be checked against ${TEAMS_FILE} (it lists GitHub usernames)`,
    fix: `use the team handle (e.g. ${handles[0] ?? `@${ORG}/<team>`}) or a member's @username`,
  };
}
