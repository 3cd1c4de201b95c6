/**
 * Who consumes what: each service declares, in its team-owned `services/<name>/consumes.json`, the services whose HTTP
 * API it calls and the CloudEvents types it consumes:
 *
 *     { "http": ["catalog"], "events": ["com.musiccorp.order.placed"] }
 *
 * A service without the file consumes nothing. The contract gate (tools/contract) lists these consumers when a
 * contract breaks, `owners reviewers` asks their teams to approve, and `ci:affected` re-checks them.
 *
 * Read from the working tree or from a commit (a pull request's head), validated with the schema below (ajv, through
 * json-schema.ts) and against the services that exist at that revision: an unknown service is a problem that names the
 * known ones. Teams come from each service's project.json tag `team:<id>`, their handles from platform/teams.json.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { filesIn, foldersAt } from './git';
import { parseJsonFile, validateSchema, type RootSchema } from './json-schema';
import { SERVICE_TAG, SERVICES_DIR } from './service-layout';
import { ORG, TEAMS_FILE, locateProblems, validateRegistry, type RegistryProblem } from './teams';

export const CONSUMES_FILE = 'consumes.json';

/**
 * The variable a service reads the base URL of a service it calls from (`ORDER_PROCESSOR_URL`): set by `npm run dev`
 * on this machine and by the deploy stage's ConfigMap in each environment, never written into the code.
 */
export function serviceUrlVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_URL`;
}

export const CONSUMES_SCHEMA: RootSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'consumes.schema.json',
  title: 'What a service consumes (services/<name>/consumes.json)',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    http: {
      description: 'the services whose HTTP API this service calls, by name (services/<name>)',
      type: 'array',
      uniqueItems: true,
      items: {
        description: 'a service name: lowercase letters, digits and dashes',
        type: 'string',
        pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$',
      },
    },
    events: {
      description: 'the CloudEvents types this service consumes, e.g. com.musiccorp.order.placed',
      type: 'array',
      uniqueItems: true,
      items: {
        description: 'a reverse-DNS CloudEvents type, e.g. com.musiccorp.order.placed',
        type: 'string',
        pattern: '^[a-z0-9]+(-[a-z0-9]+)*(\\.[a-z0-9]+(-[a-z0-9]+)*)+$',
      },
    },
  },
};

export interface Consumes {
  http: string[];
  events: string[];
}

export interface ConsumerTeam {
  id: string;
  /** From platform/teams.json; `@musiccorp/<id>` (with a warning) when the team is not registered there. */
  handle: string;
}

export interface ServiceConsumes {
  service: string;
  /** `services/<folder>`: the service's folder (its name, as the generator makes it). */
  root: string;
  /** `services/<folder>/consumes.json` */
  file: string;
  team: ConsumerTeam | null;
  consumes: Consumes;
}

/** A service that consumes an API or event types, its team, and what of it it uses. */
export interface Consumer {
  service: string;
  team: ConsumerTeam | null;
  /** `["http"]` for an HTTP API; the event types for events. */
  uses: string[];
}

export type ConsumesProblem = RegistryProblem;

export class ConsumerIndex {
  constructor(readonly services: readonly ServiceConsumes[]) {}

  /** The services that call `service`'s HTTP API. */
  ofHttp(service: string): Consumer[] {
    return this.services
      .filter((entry) => entry.consumes.http.includes(service))
      .map(({ service: consumer, team }) => ({ service: consumer, team, uses: ['http'] }));
  }

  /** The services that consume any of the event `types`, each with the ones it consumes. */
  ofEvents(types: Iterable<string>): Consumer[] {
    const wanted = new Set(types);
    return this.services.flatMap(({ service, team, consumes }) => {
      const uses = consumes.events.filter((type) => wanted.has(type));
      return uses.length ? [{ service, team, uses }] : [];
    });
  }

  /** What `service` declares it consumes (nothing when it has no consumes.json or is not a service). */
  of(service: string): Consumes {
    return this.services.find((entry) => entry.service === service)?.consumes ?? { http: [], events: [] };
  }
}

/** A service at the revision: a folder of services/ whose project.json is tagged type:service. */
export interface ServiceEntry {
  service: string;
  /** `services/<folder>` */
  root: string;
  /** Its project.json tag `team:<id>`. */
  team: string | null;
}

export interface ConsumersResult {
  /** Every service at the revision, whether or not its consumes.json is valid, by name. */
  services: ServiceEntry[];
  /**
   * The services whose consumes.json is valid (or absent). A file with problems is left out of it and its problems are
   * listed: whoever needs every consumer (the contract gate) refuses to answer while there are any.
   */
  index: ConsumerIndex;
  problems: ConsumesProblem[];
  /** Not a reason to refuse the declarations: a service whose team is not in platform/teams.json. */
  warnings: string[];
}

/** Where to read: the working tree, or a commit (`commit`), of the repository at `root` (its top folder). */
export interface RevisionOptions {
  commit?: string | undefined;
}

interface ServiceFolder {
  folder: string;
  name: string;
  team: string | null;
}

/**
 * Every service's consumes.json at the revision, validated. Services are the folders of services/ whose project.json
 * is tagged type:service (the name is the project's name).
 */
export async function loadConsumers(root: string, options: RevisionOptions = {}): Promise<ConsumersResult> {
  const read = (paths: string[]) => filesIn(root, options.commit, paths);
  const folders = options.commit === undefined ? foldersOnDisk(root) : foldersAt(root, options.commit, SERVICES_DIR);
  const projectFiles = read(folders.map((folder) => `${SERVICES_DIR}/${folder}/project.json`));
  const services: ServiceFolder[] = [];
  for (const folder of folders) {
    const text = projectFiles.get(`${SERVICES_DIR}/${folder}/project.json`);
    if (text === undefined) continue;
    let project: { name?: unknown; tags?: unknown };
    try {
      project = JSON.parse(text) as typeof project;
    } catch {
      continue; // not readable as a project: Nx reports it; it declares nothing here
    }
    const tags = Array.isArray(project.tags) ? project.tags.filter((tag) => typeof tag === 'string') : [];
    if (!tags.includes(SERVICE_TAG)) continue;
    const name = typeof project.name === 'string' ? project.name : folder;
    const team = tags.find((tag) => tag.startsWith('team:'))?.slice('team:'.length) ?? null;
    services.push({ folder, name, team });
  }

  const files = read([...services.map(({ folder }) => `${SERVICES_DIR}/${folder}/${CONSUMES_FILE}`), TEAMS_FILE]);
  const handles = await teamHandles(files.get(TEAMS_FILE));
  const known = services.map(({ name }) => name).sort();
  const problems: ConsumesProblem[] = [];
  const warnings: string[] = [];
  const declared: ServiceConsumes[] = [];
  for (const { folder, name, team } of services) {
    const file = `${SERVICES_DIR}/${folder}/${CONSUMES_FILE}`;
    const text = files.get(file);
    const consumes = text === undefined ? { http: [], events: [] } : await parseConsumes(text, file, name, known);
    if ('problems' in consumes) {
      problems.push(...consumes.problems);
      continue;
    }
    let consumerTeam: ConsumerTeam | null = null;
    if (team !== null) {
      const handle = handles?.get(team);
      if (handles && handle === undefined)
        warnings.push(`${name}'s team "${team}" (project.json tag team:${team}) is not in ${TEAMS_FILE}`);
      consumerTeam = { id: team, handle: handle ?? `@${ORG}/${team}` };
    }
    declared.push({ service: name, root: `${SERVICES_DIR}/${folder}`, file, team: consumerTeam, consumes });
  }
  const entries = services.map(({ folder, name, team }) => ({
    service: name,
    root: `${SERVICES_DIR}/${folder}`,
    team,
  }));
  return { services: entries, index: new ConsumerIndex(declared), problems, warnings };
}

/**
 * The CloudEvents types an events contract (AsyncAPI, services/<name>/contract/events.json) declares: each channel's
 * address. What consumes.json's `events` are matched against; none for anything that is not such a document.
 */
export function eventTypesOf(document: unknown): string[] {
  const channels = (document as { channels?: unknown } | null | undefined)?.channels;
  if (typeof channels !== 'object' || channels === null) return [];
  return Object.values(channels as Record<string, { address?: unknown } | null>).flatMap((channel) =>
    typeof channel?.address === 'string' ? [channel.address] : [],
  );
}

/** "services/x/consumes.json:3: http[0] ... Fix: ...", one line per problem. */
export function formatConsumesProblems(problems: readonly ConsumesProblem[]): string {
  return problems
    .map(({ file, line, message, fix }) => `${file}${line === null ? '' : `:${line}`}: ${message}. Fix: ${fix}.`)
    .join('\n');
}

function foldersOnDisk(root: string): string[] {
  const dir = join(root, SERVICES_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** team id → handle from the registry; undefined when there is no usable registry (owners check reports why). */
async function teamHandles(text: string | undefined): Promise<Map<string, string> | undefined> {
  if (text === undefined) return undefined;
  const { registry } = await validateRegistry(text);
  return registry ? new Map(registry.teams.map((team) => [team.id, team.handle])) : undefined;
}

async function parseConsumes(
  text: string,
  file: string,
  service: string,
  known: readonly string[],
): Promise<Consumes | { problems: ConsumesProblem[] }> {
  const parsed = await parseJsonFile(text, file);
  if ('problem' in parsed) return { problems: [parsed.problem] };
  const data = parsed.value;
  const found = validateSchema(data, CONSUMES_SCHEMA);
  if (found.length === 0) {
    const http = (data as Partial<Consumes>).http ?? [];
    http.forEach((name, i) => {
      if (name === service)
        found.push({
          path: ['http', i],
          message: `names ${service} itself`,
          fix: `remove "${name}": a service does not consume its own API`,
        });
      else if (!known.includes(name))
        found.push({
          path: ['http', i],
          message: `is not a service of this workspace (got "${name}")`,
          fix: `use one of: ${known.filter((other) => other !== service).join(', ') || 'none (no other service)'}`,
        });
    });
  }
  if (found.length) return { problems: await locateProblems(text, file, data, found) };
  const { http = [], events = [] } = data as Partial<Consumes>;
  return { http: [...http].sort(), events: [...events].sort() };
}
