// Platform-owned: the contract, built from the code. Changes come from templates/service on upgrade, not by hand.
import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { ERROR_RESPONSE_SCHEMA } from './errors';
import { createLogger } from './logger';
import { serviceInfo } from './service-info';

/**
 * contract/openapi.json and contract/events.json are what these functions build from the service's code:
 * `npx nx sync` bundles src/routes/index.ts and src/events/index.ts with this module and runs them in a child process
 * with an empty environment (tools/contract/src/describe), and `npx nx sync:check` fails while a committed file
 * differs. So registering the routes must work anywhere, with no configuration and nothing to connect to:
 * - read configuration lazily (in a handler, or a function it calls), or with readEnv and a fallback for each
 *   variable: a required variable read while registering fails the contract with its ConfigError;
 * - connect to databases and brokers in handlers or readiness checks, not while registering nor in an onReady hook.
 */

/** openapi-diff (the contract gate) reads OpenAPI 3.0. */
export const OPENAPI_VERSION = '3.0.3';
export const ASYNCAPI_VERSION = '3.0.0';
/** When a team declares no events catalog (src/events/index.ts), its (empty) events contract is at this version. */
export const DEFAULT_EVENTS_VERSION = '1.0.0';

const SEMVER = /^\d+\.\d+\.\d+$/;
const EVENT_NAME = /^[A-Z][A-Za-z0-9]*$/;

export type ContractDocument = Record<string, unknown>;

export interface ApiDeclaration {
  /** The `routes` plugin of src/routes/index.ts. */
  routes: unknown;
  /** The `apiVersion` src/routes/index.ts exports. */
  apiVersion: unknown;
}

/** One entry of `publishedEvents` in src/events/index.ts. */
export interface PublishedEvent {
  /** CloudEvents type, e.g. `com.musiccorp.order-processor.order-placed`. */
  type: string;
  /** PascalCase, past tense, e.g. `OrderPlaced`: the channel and message name in contract/events.json. */
  name: string;
  /** One line saying what happened. */
  summary: string;
  /** JSON Schema of the event's `data`, `$id: '<name>Data'`: the same object its consumer validates with. */
  dataSchema: object;
}

/** What src/events/index.ts exports. */
export interface EventsCatalog {
  eventsVersion: unknown;
  publishedEvents: unknown;
}

/**
 * The OpenAPI document of the team's routes, registered in the real chassis app (its plugins and decorators around
 * them) but documented alone: /health/* and /metrics are the platform's, not the API. A schema shared with
 * `app.addSchema({ $id: 'Album', … })` becomes `components.schemas.Album`. Paths and shared schemas are sorted, so
 * moving a register line changes nothing.
 */
export async function openApiDocument({ routes, apiVersion }: ApiDeclaration): Promise<ContractDocument> {
  assertVersion(apiVersion, 'src/routes/index.ts', 'apiVersion', 'the version of its HTTP API');
  if (typeof routes !== 'function') {
    throw new Error(
      'src/routes/index.ts must export `routes`, the Fastify plugin that registers the business routes (see templates/service/src/routes/index.ts).',
    );
  }
  let documented: FastifyInstance | undefined;
  const scope: FastifyPluginAsync = async (app) => {
    await app.register(swagger, {
      openapi: { openapi: OPENAPI_VERSION, info: { title: serviceInfo.name, version: apiVersion } },
      // The shared schema's own $id names its component (@fastify/swagger's default is `def-<n>`).
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, index) => String(json.$id ?? `def-${index}`) },
    });
    await app.register(routes as FastifyPluginAsync);
    documented = app;
  };
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const logger = createLogger({ level: config.logLevel, destination: { write: () => undefined } });
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({ config, logger, routes: scope });
    await app.ready();
    if (!documented) throw new Error('the routes plugin was not registered');
    return sortedDocument(withErrorResponses(JSON.parse(JSON.stringify(documented.swagger())) as ContractDocument));
  } catch (error) {
    throw registrationError(error);
  } finally {
    await app?.close();
  }
}

/**
 * The AsyncAPI 3 document of the events the service publishes (each message's payload is the event's `data`), from
 * src/events/index.ts; without that catalog, an empty one at DEFAULT_EVENTS_VERSION.
 */
export function eventsDocument(catalog?: EventsCatalog): ContractDocument {
  const version = catalog ? catalog.eventsVersion : DEFAULT_EVENTS_VERSION;
  assertVersion(version, 'src/events/index.ts', 'eventsVersion', 'the version of the events it publishes');
  const events = catalog ? publishedEvents(catalog.publishedEvents) : [];
  const channels: ContractDocument = {};
  const operations: ContractDocument = {};
  const messages: ContractDocument = {};
  for (const event of [...events].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    channels[event.name] = {
      address: event.type,
      messages: { [event.name]: { $ref: `#/components/messages/${event.name}` } },
    };
    operations[`publish${event.name}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${event.name}` },
      messages: [{ $ref: `#/channels/${event.name}/messages/${event.name}` }],
    };
    messages[event.name] = {
      name: event.type,
      title: event.name,
      summary: event.summary,
      contentType: 'application/json',
      payload: JSON.parse(JSON.stringify(event.dataSchema)) as unknown,
    };
  }
  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: `${serviceInfo.name} events`,
      version,
      description: `CloudEvents 1.0 (structured JSON) published by ${serviceInfo.name}; each message's payload is the event's \`data\`.`,
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}

function assertVersion(version: unknown, file: string, name: string, what: string): asserts version is string {
  if (typeof version === 'string' && SEMVER.test(version)) return;
  const got = version === undefined ? 'it exports none' : `got ${JSON.stringify(version)}`;
  throw new Error(
    `${file} must export ${name}, ${what} as MAJOR.MINOR.PATCH (${got}): add \`export const ${name} = '1.0.0';\`.`,
  );
}

/** The catalog's entries, checked: each names its fix, since the contract is built from them. */
function publishedEvents(value: unknown): PublishedEvent[] {
  if (!Array.isArray(value)) {
    throw new Error(
      'src/events/index.ts must export `publishedEvents`, an array of { type, name, summary, dataSchema } (npx plop event adds one per event).',
    );
  }
  const problems: string[] = [];
  const seen = { names: new Set<string>(), types: new Set<string>() };
  value.forEach((entry: Partial<Record<keyof PublishedEvent, unknown>>, index) => {
    const at = `publishedEvents[${index}]`;
    const { type, name, summary, dataSchema } = entry ?? {};
    if (typeof type !== 'string' || type === '') problems.push(`${at}.type must be the event's CloudEvents type`);
    if (typeof name !== 'string' || !EVENT_NAME.test(name)) problems.push(`${at}.name must be PascalCase`);
    if (typeof summary !== 'string') problems.push(`${at}.summary must be a string`);
    if (typeof dataSchema !== 'object' || dataSchema === null || Array.isArray(dataSchema)) {
      problems.push(`${at}.dataSchema must be the JSON Schema of the event's data`);
    }
    if (typeof name === 'string' && seen.names.has(name)) problems.push(`${at}.name "${name}" is listed twice`);
    if (typeof type === 'string' && seen.types.has(type)) problems.push(`${at}.type "${type}" is listed twice`);
    seen.names.add(String(name));
    seen.types.add(String(type));
  });
  if (problems.length > 0) throw new Error(`src/events/index.ts: ${problems.join('; ')}.`);
  return value as PublishedEvent[];
}

const ERROR_COMPONENT = 'ErrorResponse';
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * Every operation's errors, as the chassis answers them: whatever a route declares, a 400 (validation), 404, 503
 * (load shedding) or 500 comes in the one shape of errors.ts — so each operation gets it as its `default` response
 * (unless the team declared a `default` of its own), and consumers and the slow-test stage can rely on it.
 */
function withErrorResponses(document: ContractDocument): ContractDocument {
  const paths = (document.paths ?? {}) as Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  for (const item of Object.values(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.has(method)) continue;
      const responses = (operation.responses ??= {});
      responses.default ??= {
        description: 'An error, in the chassis error shape (any 4xx or 5xx status)',
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${ERROR_COMPONENT}` } } },
      };
    }
  }
  const components = (document.components ?? {}) as Record<string, Record<string, unknown>>;
  const schemas = { ...components.schemas };
  schemas[ERROR_COMPONENT] ??= ERROR_RESPONSE_SCHEMA;
  return { ...document, components: { ...components, schemas } };
}

/** Paths (and each path's methods) and shared schemas in name order: what the code declares, not where. */
function sortedDocument(document: ContractDocument): ContractDocument {
  const paths = sortedKeys(document.paths as Record<string, Record<string, unknown>> | undefined);
  for (const [path, item] of Object.entries(paths)) paths[path] = sortedKeys(item);
  const components = document.components as Record<string, Record<string, unknown>> | undefined;
  return {
    ...document,
    ...(components ? { components: { ...components, schemas: sortedKeys(components.schemas) } } : {}),
    paths,
  };
}

function sortedKeys<Value>(record: Record<string, Value> | undefined): Record<string, Value> {
  const entries = Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return Object.fromEntries(entries) as Record<string, Value>;
}

function registrationError(error: unknown): Error {
  if (error instanceof ConfigError) {
    return new Error(
      `registering the routes read configuration that is not set (${error.message}): read it lazily, in a handler, or give readEnv a fallback (see src/chassis/contract.ts).`,
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
