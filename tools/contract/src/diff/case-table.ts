/**
 * The case table: pairs of contracts (base → head) and the exact changes the engine must report, as data, so the
 * specs (case-table.spec.ts) and the benchmark (bench/contract.bench.ts, which also runs openapi-diff on the HTTP
 * cases) share it. Every rule of the catalogue occurs in at least one case (checked by rules.spec.ts).
 *
 * The documents are valid OpenAPI 3.0.3 / AsyncAPI 3.0.0 (openapi-diff validates its inputs, so no JSON Schema
 * keyword OpenAPI 3.0 lacks, such as type arrays or if/then), shaped like the generators' output: a catalog service
 * (albums) and an order-processor's events.
 */
import type { Verdict } from './types';

export interface JsonSchema {
  [keyword: string]: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

export type JsonDocument = Record<string, unknown>;

export interface ExpectedChange {
  rule: string;
  verdict: Verdict;
}

export interface ContractCase {
  name: string;
  kind: 'http' | 'events';
  base: JsonDocument;
  head: JsonDocument;
  /** In the order the engine reports them; empty: no change at all. */
  expected: ExpectedChange[];
}

const breaking = (rule: string): ExpectedChange => ({ rule, verdict: 'breaking' });
const nonBreaking = (rule: string): ExpectedChange => ({ rule, verdict: 'non-breaking' });

// --- Schema edits: each returns a copy. A patch value of `undefined` deletes the keyword. ---

function patch(schema: JsonSchema, changes: Record<string, unknown>): JsonSchema {
  const copy: JsonSchema = structuredClone(schema);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
  }
  return copy;
}

/** Patches one property's schema. */
function prop(schema: JsonSchema, name: string, changes: Record<string, unknown>): JsonSchema {
  const properties = { ...schema.properties, [name]: patch(schema.properties?.[name] ?? {}, changes) };
  return patch(schema, { properties });
}

function addProp(schema: JsonSchema, name: string, property: JsonSchema, required = false): JsonSchema {
  const copy = patch(schema, { properties: { ...schema.properties, [name]: property } });
  return required ? requireProps(copy, name) : copy;
}

function dropProp(schema: JsonSchema, name: string): JsonSchema {
  const { [name]: _dropped, ...properties } = schema.properties ?? {};
  return patch(schema, { properties, required: schema.required?.filter((n) => n !== name) });
}

function requireProps(schema: JsonSchema, ...names: string[]): JsonSchema {
  return patch(schema, { required: [...new Set([...(schema.required ?? []), ...names])] });
}

function optional(schema: JsonSchema, ...names: string[]): JsonSchema {
  return patch(schema, { required: schema.required?.filter((name) => !names.includes(name)) });
}

// --- Schemas of the catalog service and the order-processor's events. ---

const TRACKS: JsonSchema = { type: 'array', items: { type: 'string' }, maxItems: 50 };

/** An album as GET /albums/{sku} returns it. */
const album = (): JsonSchema => ({
  type: 'object',
  required: ['sku', 'title', 'price', 'format'],
  properties: {
    sku: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' },
    title: { type: 'string', minLength: 1, maxLength: 200 },
    price: { type: 'number', minimum: 0 },
    stock: { type: 'integer', minimum: 0 },
    format: { type: 'string', enum: ['cd', 'vinyl'] },
    releasedAt: { type: 'string', format: 'date-time' },
    tracks: TRACKS,
  },
});

/** The body of POST /albums. */
const newAlbum = (): JsonSchema => ({
  type: 'object',
  required: ['title', 'price'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    price: { type: 'number', minimum: 0, multipleOf: 0.01 },
    quantity: { type: 'integer', minimum: 1 },
    format: { type: 'string', enum: ['cd', 'vinyl'] },
    label: { type: 'string', pattern: '^[A-Za-z ]+$' },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 10 },
    note: { type: 'string' },
  },
});

const card = (): JsonSchema => ({
  type: 'object',
  title: 'Card',
  required: ['method', 'last4'],
  properties: { method: { type: 'string', enum: ['card'] }, last4: { type: 'string' } },
});
const voucher = (): JsonSchema => ({
  type: 'object',
  title: 'Voucher',
  required: ['method', 'code'],
  properties: { method: { type: 'string', enum: ['voucher'] }, code: { type: 'string' } },
});
const invoice = (): JsonSchema => ({
  type: 'object',
  title: 'Invoice',
  required: ['method', 'iban'],
  properties: { method: { type: 'string', enum: ['invoice'] }, iban: { type: 'string' } },
});

/** CloudEvents data of com.musiccorp.order.placed. */
const orderPlaced = (): JsonSchema => ({
  $id: 'OrderPlacedData',
  type: 'object',
  required: ['orderId', 'total', 'currency'],
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    total: { type: 'number', minimum: 0 },
    currency: { type: 'string', enum: ['EUR', 'USD'] },
    items: { type: 'array', items: { type: 'string' } },
  },
});

// --- OpenAPI documents. ---

type Operation = Record<string, unknown>;
type Parameter = Record<string, unknown>;

const SKU: Parameter = { name: 'sku', in: 'path', required: true, schema: { type: 'string' } };
const query = (name: string, schema: JsonSchema, required = false): Parameter => ({
  name,
  in: 'query',
  required,
  schema,
});
const header = (name: string, schema: JsonSchema, required = false): Parameter => ({
  name,
  in: 'header',
  required,
  schema,
});

export function response(schema?: JsonSchema, types: string[] = ['application/json']): Record<string, unknown> {
  if (!schema) return { description: 'No Content' };
  return { description: 'Default Response', content: Object.fromEntries(types.map((type) => [type, { schema }])) };
}

export interface OperationSpec {
  parameters?: Parameter[];
  body?: JsonSchema;
  bodyRequired?: boolean;
  bodyTypes?: string[];
  /** Status → response object; default: 200 with an album. */
  responses?: Record<string, Record<string, unknown>>;
  deprecated?: boolean;
  summary?: string;
}

export function operation(spec: OperationSpec = {}): Operation {
  const { parameters, body, bodyRequired = true, bodyTypes = ['application/json'], responses, deprecated } = spec;
  return {
    ...(spec.summary ? { summary: spec.summary } : {}),
    ...(parameters?.length ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: bodyRequired,
            content: Object.fromEntries(bodyTypes.map((type) => [type, { schema: body }])),
          },
        }
      : {}),
    ...(deprecated ? { deprecated: true } : {}),
    responses: responses ?? { '200': response(album()) },
  };
}

export function httpContract(
  paths: Record<string, Record<string, Operation>>,
  schemas: Record<string, JsonSchema> = {},
  version = '1.0.0',
): JsonDocument {
  return {
    openapi: '3.0.3',
    info: { title: 'catalog', version },
    ...(Object.keys(schemas).length ? { components: { schemas } } : {}),
    paths,
  };
}

const albumPath = (spec: OperationSpec = {}) => ({
  '/albums/{sku}': { get: operation({ parameters: [SKU], ...spec }) },
});
const getAlbum = (spec: OperationSpec = {}) => httpContract(albumPath(spec));

function http(name: string, base: JsonDocument, head: JsonDocument, expected: ExpectedChange[]): ContractCase {
  return { name, kind: 'http', base, head, expected };
}

/** POST /albums with `base` and `head` as its body schema. */
function requestCase(name: string, base: JsonSchema, head: JsonSchema, expected: ExpectedChange[]): ContractCase {
  const contract = (body: JsonSchema) =>
    httpContract({ '/albums': { post: operation({ body, responses: { '201': response(album()) } }) } });
  return http(name, contract(base), contract(head), expected);
}

/** GET /albums/{sku} with `base` and `head` as its 200 response schema. */
function responseCase(name: string, base: JsonSchema, head: JsonSchema, expected: ExpectedChange[]): ContractCase {
  const contract = (schema: JsonSchema) => getAlbum({ responses: { '200': response(schema) } });
  return http(name, contract(base), contract(head), expected);
}

/** GET /albums with `base` and `head` as its parameters. */
function parametersCase(name: string, base: Parameter[], head: Parameter[], expected: ExpectedChange[]): ContractCase {
  const contract = (parameters: Parameter[]) =>
    httpContract({
      '/albums': { get: operation({ parameters, responses: { '200': response({ type: 'array', items: album() }) } }) },
    });
  return http(name, contract(base), contract(head), expected);
}

// --- AsyncAPI documents. ---

export type JsonPath = (string | number)[];

/** A copy of `document` with the value at each path replaced (`undefined`: deleted): one broken field at a time. */
export function editedCopy(document: JsonDocument, ...edits: [JsonPath, unknown][]): JsonDocument {
  const copy = structuredClone(document);
  for (const [path, value] of edits) {
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], copy);
    const record = parent as Record<string | number, unknown>;
    const last = path[path.length - 1] ?? '';
    if (value === undefined) delete record[last];
    else record[last] = value;
  }
  return copy;
}

export interface EventSpec {
  /** The message and channel key, e.g. OrderPlaced. */
  key: string;
  /** The CloudEvents type. */
  type: string;
  payload: JsonSchema;
  deprecated?: boolean;
  contentType?: string;
}

export function eventContract(events: EventSpec[], version = '1.0.0'): JsonDocument {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const event of events) {
    channels[event.key] = {
      address: event.type,
      messages: { [event.key]: { $ref: `#/components/messages/${event.key}` } },
    };
    operations[`publish${event.key}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${event.key}` },
      messages: [{ $ref: `#/channels/${event.key}/messages/${event.key}` }],
    };
    messages[event.key] = {
      name: event.type,
      title: event.key,
      summary: `${event.type}, published by order-processor`,
      contentType: event.contentType ?? 'application/json',
      payload: event.payload,
      ...(event.deprecated ? { deprecated: true } : {}),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: { title: 'order-processor events', version, description: 'Events order-processor publishes.' },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}

const ORDER_PLACED = 'com.musiccorp.order.placed';
const placed = (payload: JsonSchema = orderPlaced(), more: Partial<EventSpec> = {}): EventSpec => ({
  key: 'OrderPlaced',
  type: ORDER_PLACED,
  payload,
  ...more,
});
const shipped: EventSpec = {
  key: 'OrderShipped',
  type: 'com.musiccorp.order.shipped',
  payload: { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' } } },
};

function events(name: string, base: EventSpec[], head: EventSpec[], expected: ExpectedChange[]): ContractCase {
  return { name, kind: 'events', base: eventContract(base), head: eventContract(head), expected };
}

/** The data of com.musiccorp.order.placed changes from `base` to `head`. */
const dataCase = (name: string, base: JsonSchema, head: JsonSchema, expected: ExpectedChange[]) =>
  events(name, [placed(base)], [placed(head)], expected);

// --- Expand and contract: /v2 beside /v1, /v1 deprecated, then /v1 removed. ---

const listAlbums = (schema: JsonSchema, deprecated = false) =>
  operation({ responses: { '200': response({ type: 'array', items: schema }) }, deprecated });
const v1Only = httpContract({ '/v1/albums': { get: listAlbums(album()) } });
const v1AndV2 = httpContract({
  '/v1/albums': { get: listAlbums(album(), true) },
  '/v2/albums': { get: listAlbums(prop(album(), 'price', { type: 'object', properties: { amount: {} } })) },
});
const v2Only = httpContract({
  '/v2/albums': { get: listAlbums(prop(album(), 'price', { type: 'object', properties: { amount: {} } })) },
});

/** A schema that refers to itself (a folder tree). */
const folder = (withSize: boolean): JsonDocument =>
  httpContract(
    {
      '/folders/{sku}': {
        get: operation({ parameters: [SKU], responses: { '200': response({ $ref: '#/components/schemas/Folder' }) } }),
      },
    },
    {
      Folder: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          ...(withSize ? { size: { type: 'integer' } } : {}),
          children: { type: 'array', items: { $ref: '#/components/schemas/Folder' } },
        },
      },
    },
  );

/** Two operations sharing one component schema, as @fastify/swagger writes a schema added with app.addSchema. */
const sharedAlbum = (schema: JsonSchema, name = 'def-0') =>
  httpContract(
    {
      '/albums/{sku}': {
        get: operation({ parameters: [SKU], responses: { '200': response({ $ref: `#/components/schemas/${name}` }) } }),
      },
      '/albums': {
        get: operation({
          responses: { '200': response({ type: 'array', items: { $ref: `#/components/schemas/${name}` } }) },
        }),
      },
    },
    { [name]: { ...schema, title: 'Album' } },
  );

export const CONTRACT_CASES: readonly ContractCase[] = [
  // Paths and operations.
  http('new path', getAlbum(), httpContract({ ...albumPath(), '/artists': { get: operation() } }), [
    nonBreaking('path-added'),
  ]),
  http('path removed', httpContract({ ...albumPath(), '/artists': { get: operation() } }), getAlbum(), [
    breaking('path-removed'),
  ]),
  http(
    'path parameter renamed: /albums/{sku} → /albums/{id} is the same URL',
    getAlbum(),
    httpContract({ '/albums/{id}': { get: operation({ parameters: [{ ...SKU, name: 'id' }] }) } }),
    [nonBreaking('path-parameter-renamed')],
  ),
  http(
    'operation added (DELETE beside GET)',
    getAlbum(),
    httpContract({
      '/albums/{sku}': {
        get: operation({ parameters: [SKU] }),
        delete: operation({ parameters: [SKU], responses: { '204': response() } }),
      },
    }),
    [nonBreaking('operation-added')],
  ),
  http(
    'operation removed (DELETE)',
    httpContract({
      '/albums/{sku}': {
        get: operation({ parameters: [SKU] }),
        delete: operation({ parameters: [SKU], responses: { '204': response() } }),
      },
    }),
    getAlbum(),
    [breaking('operation-removed')],
  ),
  http('operation deprecated', getAlbum(), getAlbum({ deprecated: true }), [nonBreaking('operation-deprecated')]),
  http(
    'summary and descriptions changed: not part of the contract',
    getAlbum(),
    getAlbum({ summary: 'One album' }),
    [],
  ),
  http('expand: /v2/albums added beside /v1/albums, /v1 deprecated', v1Only, v1AndV2, [
    nonBreaking('operation-deprecated'),
    nonBreaking('path-added'),
  ]),
  http('contract: /v1/albums removed once consumers moved to /v2', v1AndV2, v2Only, [breaking('path-removed')]),

  // Parameters.
  parametersCase(
    'optional query parameter added',
    [],
    [query('genre', { type: 'string' })],
    [nonBreaking('parameter-added')],
  ),
  parametersCase(
    'required query parameter added',
    [],
    [query('genre', { type: 'string' }, true)],
    [breaking('parameter-required-added')],
  ),
  parametersCase(
    'required header added',
    [],
    [header('x-api-key', { type: 'string' }, true)],
    [breaking('parameter-required-added')],
  ),
  parametersCase(
    'required query parameter with a default added (ajv useDefaults fills it in)',
    [],
    [query('limit', { type: 'integer', default: 20 }, true)],
    [nonBreaking('parameter-required-added-with-default')],
  ),
  parametersCase('query parameter removed', [query('genre', { type: 'string' })], [], [breaking('parameter-removed')]),
  parametersCase(
    'query parameter renamed (limit → pageSize)',
    [query('limit', { type: 'integer' })],
    [query('pageSize', { type: 'integer' })],
    [breaking('parameter-renamed')],
  ),
  parametersCase(
    'parameter moved from query to header',
    [query('tenant', { type: 'string' })],
    [header('tenant', { type: 'string' })],
    [breaking('parameter-moved')],
  ),
  parametersCase(
    'query parameter made required',
    [query('genre', { type: 'string' })],
    [query('genre', { type: 'string' }, true)],
    [breaking('parameter-made-required')],
  ),
  parametersCase(
    'query parameter with a default made required',
    [query('limit', { type: 'integer', default: 20 })],
    [query('limit', { type: 'integer', default: 20 }, true)],
    [nonBreaking('parameter-made-required-with-default')],
  ),
  parametersCase(
    'header made optional',
    [header('x-api-key', { type: 'string' }, true)],
    [header('x-api-key', { type: 'string' })],
    [nonBreaking('parameter-made-optional')],
  ),
  parametersCase(
    'header names are case-insensitive',
    [header('X-Api-Key', { type: 'string' }, true)],
    [header('x-api-key', { type: 'string' }, true)],
    [],
  ),
  parametersCase(
    'query parameter narrowed: number → integer',
    [query('maxPrice', { type: 'number' })],
    [query('maxPrice', { type: 'integer' })],
    [breaking('request-type-narrowed')],
  ),
  parametersCase(
    'query parameter limit relaxed: maximum 50 → 100',
    [query('limit', { type: 'integer', maximum: 50 })],
    [query('limit', { type: 'integer', maximum: 100 })],
    [nonBreaking('request-limit-widened')],
  ),
  http(
    'path parameter gets a pattern',
    getAlbum(),
    getAlbum({ parameters: [{ ...SKU, schema: { type: 'string', pattern: '^[A-Z]{3}-\\d{4}$' } }] }),
    [breaking('request-pattern-added')],
  ),

  // Request bodies.
  http(
    'optional request body added',
    httpContract({
      '/albums/{sku}/plays': { post: operation({ parameters: [SKU], responses: { '204': response() } }) },
    }),
    httpContract({
      '/albums/{sku}/plays': {
        post: operation({
          parameters: [SKU],
          body: { type: 'object', properties: { at: { type: 'string' } } },
          bodyRequired: false,
          responses: { '204': response() },
        }),
      },
    }),
    [nonBreaking('request-body-added')],
  ),
  http(
    'required request body added',
    httpContract({
      '/albums/{sku}/plays': { post: operation({ parameters: [SKU], responses: { '204': response() } }) },
    }),
    httpContract({
      '/albums/{sku}/plays': {
        post: operation({ parameters: [SKU], body: { type: 'object' }, responses: { '204': response() } }),
      },
    }),
    [breaking('request-body-required-added')],
  ),
  http(
    'request body removed',
    httpContract({ '/albums': { post: operation({ body: newAlbum() }) } }),
    httpContract({ '/albums': { post: operation() } }),
    [breaking('request-body-removed')],
  ),
  http(
    'request body made required',
    httpContract({ '/albums': { post: operation({ body: newAlbum(), bodyRequired: false }) } }),
    httpContract({ '/albums': { post: operation({ body: newAlbum() }) } }),
    [breaking('request-body-made-required')],
  ),
  http(
    'request body made optional',
    httpContract({ '/albums': { post: operation({ body: newAlbum() }) } }),
    httpContract({ '/albums': { post: operation({ body: newAlbum(), bodyRequired: false }) } }),
    [nonBreaking('request-body-made-optional')],
  ),
  http(
    'request media type added',
    httpContract({ '/albums': { post: operation({ body: newAlbum() }) } }),
    httpContract({
      '/albums': {
        post: operation({ body: newAlbum(), bodyTypes: ['application/json', 'application/x-www-form-urlencoded'] }),
      },
    }),
    [nonBreaking('request-content-type-added')],
  ),
  http(
    'request media type removed',
    httpContract({
      '/albums': {
        post: operation({ body: newAlbum(), bodyTypes: ['application/json', 'application/x-www-form-urlencoded'] }),
      },
    }),
    httpContract({ '/albums': { post: operation({ body: newAlbum() }) } }),
    [breaking('request-content-type-removed')],
  ),

  // Request schemas: the consumer writes them, so they may only widen.
  requestCase('new optional request property', newAlbum(), addProp(newAlbum(), 'barcode', { type: 'string' }), [
    nonBreaking('request-property-added'),
  ]),
  requestCase('new required request property', newAlbum(), addProp(newAlbum(), 'barcode', { type: 'string' }, true), [
    breaking('request-property-required-added'),
  ]),
  requestCase(
    'new required request property with a default (ajv useDefaults fills it in)',
    newAlbum(),
    addProp(newAlbum(), 'currency', { type: 'string', default: 'EUR' }, true),
    [nonBreaking('request-property-required-added-with-default')],
  ),
  requestCase('request property removed', newAlbum(), dropProp(newAlbum(), 'note'), [
    breaking('request-property-removed'),
  ]),
  requestCase(
    'request property renamed (note → comment): a removal and an addition',
    newAlbum(),
    addProp(dropProp(newAlbum(), 'note'), 'comment', { type: 'string' }),
    [breaking('request-property-removed'), nonBreaking('request-property-added')],
  ),
  requestCase('request property made required', newAlbum(), requireProps(newAlbum(), 'format'), [
    breaking('request-property-made-required'),
  ]),
  requestCase(
    'request property with a default made required',
    prop(newAlbum(), 'quantity', { default: 1 }),
    requireProps(prop(newAlbum(), 'quantity', { default: 1 }), 'quantity'),
    [nonBreaking('request-property-made-required-with-default')],
  ),
  requestCase('request property made optional', newAlbum(), optional(newAlbum(), 'price'), [
    nonBreaking('request-property-made-optional'),
  ]),
  requestCase('request type narrowed: number → integer', newAlbum(), prop(newAlbum(), 'price', { type: 'integer' }), [
    breaking('request-type-narrowed'),
  ]),
  requestCase(
    'request type union shrunk: string or null → string',
    prop(newAlbum(), 'note', { nullable: true }),
    newAlbum(),
    [breaking('request-type-narrowed')],
  ),
  requestCase('request type widened: integer → number', newAlbum(), prop(newAlbum(), 'quantity', { type: 'number' }), [
    nonBreaking('request-type-widened'),
  ]),
  requestCase('request property made nullable', newAlbum(), prop(newAlbum(), 'note', { nullable: true }), [
    nonBreaking('request-type-widened'),
  ]),
  requestCase('request type changed: string → number', newAlbum(), prop(newAlbum(), 'note', { type: 'number' }), [
    breaking('request-type-changed'),
  ]),
  requestCase(
    'request string narrowed to an enum',
    newAlbum(),
    prop(newAlbum(), 'note', { enum: ['gift', 'pre-order'] }),
    [breaking('request-enum-added')],
  ),
  requestCase('request enum restriction dropped', newAlbum(), prop(newAlbum(), 'format', { enum: undefined }), [
    nonBreaking('request-enum-removed'),
  ]),
  requestCase(
    'request enum value added',
    newAlbum(),
    prop(newAlbum(), 'format', { enum: ['cd', 'vinyl', 'cassette'] }),
    [nonBreaking('request-enum-value-added')],
  ),
  requestCase('request enum value removed', newAlbum(), prop(newAlbum(), 'format', { enum: ['cd'] }), [
    breaking('request-enum-value-removed'),
  ]),
  requestCase('request maxLength lowered', newAlbum(), prop(newAlbum(), 'title', { maxLength: 100 }), [
    breaking('request-limit-narrowed'),
  ]),
  requestCase('request minLength raised', newAlbum(), prop(newAlbum(), 'title', { minLength: 3 }), [
    breaking('request-limit-narrowed'),
  ]),
  requestCase(
    'request minimum raised (0 → exclusive 0)',
    newAlbum(),
    prop(newAlbum(), 'price', { exclusiveMinimum: true }),
    [breaking('request-limit-narrowed')],
  ),
  requestCase(
    'request limits relaxed: minimum 1 → 0, maxItems 10 → 20',
    newAlbum(),
    prop(prop(newAlbum(), 'quantity', { minimum: 0 }), 'tags', { maxItems: 20 }),
    [nonBreaking('request-limit-widened'), nonBreaking('request-limit-widened')],
  ),
  requestCase('request minItems added', newAlbum(), prop(newAlbum(), 'tags', { minItems: 1 }), [
    breaking('request-limit-narrowed'),
  ]),
  requestCase(
    'request multipleOf 0.02 → 0.03 (neither a multiple nor a divisor)',
    prop(newAlbum(), 'price', { multipleOf: 0.02 }),
    prop(newAlbum(), 'price', { multipleOf: 0.03 }),
    [breaking('request-limit-changed')],
  ),
  requestCase('request pattern changed', newAlbum(), prop(newAlbum(), 'label', { pattern: '^[A-Za-z0-9 ]+$' }), [
    breaking('request-pattern-changed'),
  ]),
  requestCase('request pattern removed', newAlbum(), prop(newAlbum(), 'label', { pattern: undefined }), [
    nonBreaking('request-pattern-removed'),
  ]),
  requestCase('request format added', newAlbum(), prop(newAlbum(), 'note', { format: 'email' }), [
    breaking('request-format-added'),
  ]),
  requestCase('request format removed', prop(newAlbum(), 'note', { format: 'email' }), newAlbum(), [
    nonBreaking('request-format-removed'),
  ]),
  requestCase(
    'request additionalProperties true → false',
    patch(newAlbum(), { additionalProperties: true }),
    newAlbum(),
    [breaking('request-additional-properties-closed')],
  ),
  requestCase(
    'request additionalProperties false → allowed',
    newAlbum(),
    patch(newAlbum(), { additionalProperties: undefined }),
    [nonBreaking('request-additional-properties-opened')],
  ),
  requestCase(
    'request oneOf variant added',
    addProp(newAlbum(), 'payment', { oneOf: [card(), voucher()] }),
    addProp(newAlbum(), 'payment', { oneOf: [card(), voucher(), invoice()] }),
    [nonBreaking('request-variant-added')],
  ),
  requestCase(
    'request oneOf variant removed',
    addProp(newAlbum(), 'payment', { oneOf: [card(), voucher()] }),
    addProp(newAlbum(), 'payment', { oneOf: [card()] }),
    [breaking('request-variant-removed')],
  ),
  requestCase(
    'request plain schema becomes a oneOf of itself and another',
    prop(newAlbum(), 'note', {}),
    prop(newAlbum(), 'note', {
      type: undefined,
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    }),
    [nonBreaking('request-variant-added')],
  ),
  requestCase(
    'request oneOf variants reordered and one edited',
    addProp(newAlbum(), 'payment', { oneOf: [card(), voucher()] }),
    addProp(newAlbum(), 'payment', { oneOf: [prop(voucher(), 'code', { maxLength: 12 }), card()] }),
    [breaking('request-limit-narrowed')],
  ),
  requestCase(
    'request oneOf → anyOf',
    addProp(newAlbum(), 'payment', { oneOf: [card(), voucher()] }),
    addProp(newAlbum(), 'payment', { anyOf: [card(), voucher()] }),
    [nonBreaking('request-combinator-widened')],
  ),
  requestCase(
    'request anyOf → oneOf',
    addProp(newAlbum(), 'payment', { anyOf: [card(), voucher()] }),
    addProp(newAlbum(), 'payment', { oneOf: [card(), voucher()] }),
    [breaking('request-combinator-narrowed')],
  ),
  requestCase('request default added', newAlbum(), prop(newAlbum(), 'quantity', { default: 1 }), [
    nonBreaking('request-default-added'),
  ]),
  requestCase(
    'request default changed',
    prop(newAlbum(), 'quantity', { default: 1 }),
    prop(newAlbum(), 'quantity', { default: 2 }),
    [breaking('request-default-changed')],
  ),
  requestCase('request property deprecated', newAlbum(), prop(newAlbum(), 'note', { deprecated: true }), [
    nonBreaking('request-schema-deprecated'),
  ]),
  requestCase(
    'request `not` changed: not analysed, so unclassified (breaking)',
    prop(newAlbum(), 'label', { not: { enum: ['x'] } }),
    prop(newAlbum(), 'label', { not: { enum: ['y'] } }),
    [breaking('unclassified-schema-change')],
  ),

  // Response schemas: the consumer reads them, so they may only narrow.
  responseCase('response property removed', album(), dropProp(album(), 'stock'), [
    breaking('response-property-removed'),
  ]),
  responseCase(
    'response property renamed (stock → inStock): a removal and an addition',
    album(),
    addProp(dropProp(album(), 'stock'), 'inStock', { type: 'integer' }),
    [breaking('response-property-removed'), nonBreaking('response-property-added')],
  ),
  responseCase('new optional response property', album(), addProp(album(), 'label', { type: 'string' }), [
    nonBreaking('response-property-added'),
  ]),
  responseCase('new required response property', album(), addProp(album(), 'label', { type: 'string' }, true), [
    nonBreaking('response-property-required-added'),
  ]),
  responseCase('response property made optional', album(), optional(album(), 'price'), [
    breaking('response-property-made-optional'),
  ]),
  responseCase('response property made required', album(), requireProps(album(), 'stock'), [
    nonBreaking('response-property-made-required'),
  ]),
  responseCase('response type widened: integer → number', album(), prop(album(), 'stock', { type: 'number' }), [
    breaking('response-type-widened'),
  ]),
  responseCase('response property made nullable', album(), prop(album(), 'title', { nullable: true }), [
    breaking('response-type-widened'),
  ]),
  responseCase('response type narrowed: number → integer', album(), prop(album(), 'price', { type: 'integer' }), [
    nonBreaking('response-type-narrowed'),
  ]),
  responseCase('response type changed: number → string', album(), prop(album(), 'price', { type: 'string' }), [
    breaking('response-type-changed'),
  ]),
  responseCase(
    'response enum value added (contested: a consumer mapping every value has no case for it)',
    album(),
    prop(album(), 'format', { enum: ['cd', 'vinyl', 'cassette'] }),
    [breaking('response-enum-value-added')],
  ),
  responseCase('response enum value removed', album(), prop(album(), 'format', { enum: ['cd'] }), [
    nonBreaking('response-enum-value-removed'),
  ]),
  responseCase('response string narrowed to an enum', album(), prop(album(), 'title', { enum: ['Kind of Blue'] }), [
    nonBreaking('response-enum-added'),
  ]),
  responseCase('response enum restriction dropped', album(), prop(album(), 'format', { enum: undefined }), [
    breaking('response-enum-removed'),
  ]),
  responseCase('response maxLength raised', album(), prop(album(), 'title', { maxLength: 500 }), [
    breaking('response-limit-widened'),
  ]),
  responseCase('response maxLength lowered', album(), prop(album(), 'title', { maxLength: 100 }), [
    nonBreaking('response-limit-narrowed'),
  ]),
  responseCase('response pattern removed', album(), prop(album(), 'sku', { pattern: undefined }), [
    breaking('response-pattern-removed'),
  ]),
  responseCase('response pattern added', album(), prop(album(), 'title', { pattern: '^\\S' }), [
    nonBreaking('response-pattern-added'),
  ]),
  responseCase('response format changed: date-time → date', album(), prop(album(), 'releasedAt', { format: 'date' }), [
    breaking('response-format-changed'),
  ]),
  responseCase('response format added', album(), prop(album(), 'sku', { format: 'uuid' }), [
    nonBreaking('response-format-added'),
  ]),
  responseCase('response format removed', album(), prop(album(), 'releasedAt', { format: undefined }), [
    breaking('response-format-removed'),
  ]),
  responseCase(
    'response oneOf variant added',
    addProp(album(), 'payment', { oneOf: [card(), voucher()] }),
    addProp(album(), 'payment', { oneOf: [card(), voucher(), invoice()] }),
    [breaking('response-variant-added')],
  ),
  responseCase(
    'response oneOf variant removed',
    addProp(album(), 'payment', { oneOf: [card(), voucher()] }),
    addProp(album(), 'payment', { oneOf: [voucher()] }),
    [nonBreaking('response-variant-removed')],
  ),
  responseCase(
    'response type widened to a oneOf (string → string or object)',
    album(),
    prop(album(), 'title', {
      type: undefined,
      minLength: undefined,
      maxLength: undefined,
      oneOf: [
        { type: 'string', minLength: 1, maxLength: 200 },
        { type: 'object', properties: { text: { type: 'string' } } },
      ],
    }),
    [breaking('response-variant-added')],
  ),
  responseCase(
    'response oneOf → anyOf',
    addProp(album(), 'payment', { oneOf: [card(), voucher()] }),
    addProp(album(), 'payment', { anyOf: [card(), voucher()] }),
    [breaking('response-combinator-widened')],
  ),
  responseCase(
    'response anyOf → oneOf',
    addProp(album(), 'payment', { anyOf: [card(), voucher()] }),
    addProp(album(), 'payment', { oneOf: [card(), voucher()] }),
    [nonBreaking('response-combinator-narrowed')],
  ),
  responseCase('response additionalProperties → false', album(), patch(album(), { additionalProperties: false }), [
    nonBreaking('response-additional-properties-closed'),
  ]),
  responseCase(
    'response additionalProperties false → allowed',
    patch(album(), { additionalProperties: false }),
    album(),
    [nonBreaking('response-additional-properties-opened')],
  ),
  responseCase('response property deprecated', album(), prop(album(), 'stock', { deprecated: true }), [
    nonBreaking('response-schema-deprecated'),
  ]),
  responseCase(
    'response `not` added: not analysed, so unclassified (breaking)',
    album(),
    prop(album(), 'title', { not: { enum: [''] } }),
    [breaking('unclassified-schema-change')],
  ),
  responseCase(
    'response allOf merged: the same schema written as allOf is no change',
    album(),
    { allOf: [dropProp(album(), 'tracks'), { properties: { tracks: TRACKS } }] },
    [],
  ),
  responseCase(
    'response allOf member loses a property',
    { allOf: [dropProp(album(), 'tracks'), { properties: { tracks: { type: 'array' } } }] },
    { allOf: [dropProp(dropProp(album(), 'tracks'), 'stock'), { properties: { tracks: { type: 'array' } } }] },
    [breaking('response-property-removed')],
  ),
  http(
    'shared component loses a property: reported at each operation using it',
    sharedAlbum(album()),
    sharedAlbum(dropProp(album(), 'stock')),
    [breaking('response-property-removed'), breaking('response-property-removed')],
  ),
  http(
    'shared component renamed (def-0 → Album), same schema: no change',
    sharedAlbum(album()),
    sharedAlbum(album(), 'Album'),
    [],
  ),
  http('recursive schema gains an optional property', folder(false), folder(true), [
    nonBreaking('response-property-added'),
  ]),

  // Status codes, media types and headers of responses.
  http('success status changed: 200 → 201', getAlbum(), getAlbum({ responses: { '201': response(album()) } }), [
    breaking('success-status-changed'),
  ]),
  http(
    'one of two success statuses removed',
    getAlbum({ responses: { '200': response(album()), '203': response(album()) } }),
    getAlbum(),
    [breaking('success-status-removed')],
  ),
  http(
    'success status added beside 200',
    getAlbum(),
    getAlbum({ responses: { '200': response(album()), '202': response() } }),
    [breaking('success-status-added')],
  ),
  http(
    'error status added (404)',
    getAlbum(),
    getAlbum({
      responses: {
        '200': response(album()),
        '404': response({ type: 'object', properties: { message: { type: 'string' } } }),
      },
    }),
    [nonBreaking('error-status-added')],
  ),
  http(
    'error status removed (404)',
    getAlbum({
      responses: {
        '200': response(album()),
        '404': response({ type: 'object', properties: { message: { type: 'string' } } }),
      },
    }),
    getAlbum(),
    [nonBreaking('error-status-removed')],
  ),
  http(
    'response media type removed',
    getAlbum({ responses: { '200': response(album(), ['application/json', 'application/xml']) } }),
    getAlbum(),
    [breaking('response-content-type-removed')],
  ),
  http(
    'response media type added',
    getAlbum(),
    getAlbum({ responses: { '200': response(album(), ['application/json', 'application/xml']) } }),
    [nonBreaking('response-content-type-added')],
  ),
  http(
    'response header added',
    getAlbum(),
    getAlbum({ responses: { '200': { ...response(album()), headers: { ETag: { schema: { type: 'string' } } } } } }),
    [nonBreaking('response-header-added')],
  ),
  http(
    'response header removed',
    getAlbum({ responses: { '200': { ...response(album()), headers: { ETag: { schema: { type: 'string' } } } } } }),
    getAlbum(),
    [breaking('response-header-removed')],
  ),
  http(
    'required response header made optional',
    getAlbum({
      responses: { '200': { ...response(album()), headers: { ETag: { required: true, schema: { type: 'string' } } } } },
    }),
    getAlbum({ responses: { '200': { ...response(album()), headers: { ETag: { schema: { type: 'string' } } } } } }),
    [breaking('response-header-made-optional')],
  ),

  // Events, from the subscriber's side: the producer writes the data, the consumer reads it.
  dataCase('event data field removed', orderPlaced(), dropProp(orderPlaced(), 'items'), [
    breaking('event-property-removed'),
  ]),
  dataCase('new optional event data field', orderPlaced(), addProp(orderPlaced(), 'couponCode', { type: 'string' }), [
    nonBreaking('event-property-added'),
  ]),
  dataCase(
    'new required event data field',
    orderPlaced(),
    addProp(orderPlaced(), 'customerId', { type: 'string' }, true),
    [nonBreaking('event-property-required-added')],
  ),
  dataCase('event data field made optional', orderPlaced(), optional(orderPlaced(), 'currency'), [
    breaking('event-property-made-optional'),
  ]),
  dataCase(
    'event data type narrowed: number → integer',
    orderPlaced(),
    prop(orderPlaced(), 'total', { type: 'integer' }),
    [nonBreaking('event-type-narrowed')],
  ),
  dataCase(
    'event data type widened: string → string or null',
    orderPlaced(),
    prop(orderPlaced(), 'orderId', { nullable: true }),
    [breaking('event-type-widened')],
  ),
  dataCase(
    'event data enum value added',
    orderPlaced(),
    prop(orderPlaced(), 'currency', { enum: ['EUR', 'USD', 'GBP'] }),
    [breaking('event-enum-value-added')],
  ),
  events('event type removed', [placed(), shipped], [placed()], [breaking('event-removed')]),
  events('new event type', [placed()], [placed(), shipped], [nonBreaking('event-added')]),
  events('event deprecated', [placed()], [placed(undefined, { deprecated: true })], [nonBreaking('event-deprecated')]),
  events(
    'event content type changed',
    [placed()],
    [placed(undefined, { contentType: 'application/avro' })],
    [breaking('event-content-type-changed')],
  ),
  events(
    'channel and message keys renamed, same CloudEvents type: no change',
    [placed()],
    [placed(undefined, { key: 'OrderPlacedV1' })],
    [],
  ),
  events('no events before or after', [], [], []),
  events(
    'expand: order.placed.v2 published beside the deprecated order.placed',
    [placed()],
    [
      placed(undefined, { deprecated: true }),
      {
        ...placed(addProp(orderPlaced(), 'customerId', { type: 'string' }, true)),
        key: 'OrderPlacedV2',
        type: `${ORDER_PLACED}.v2`,
      },
    ],
    [nonBreaking('event-deprecated'), nonBreaking('event-added')],
  ),
  events(
    'contract: the deprecated order.placed no longer published',
    [placed(undefined, { deprecated: true }), { ...placed(), key: 'OrderPlacedV2', type: `${ORDER_PLACED}.v2` }],
    [{ ...placed(), key: 'OrderPlacedV2', type: `${ORDER_PLACED}.v2` }],
    [breaking('event-removed')],
  ),
];
