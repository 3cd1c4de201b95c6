/**
 * Does the running artifact keep its promise? Each response the slow-test stage gets from the service's business
 * routes is checked against the service's committed contract, services/<name>/contract/openapi.json (OpenAPI 3.0, as
 * @fastify/swagger writes it from the route schemas): the operation must be in it (method + path template), the status
 * declared (exactly, as a `4XX` range, or `default`), the content type declared and the body valid against the
 * declared schema.
 *
 * Bodies are validated by @musiccorp/core/json-schema (ajv, draft 2020-12, strict). OpenAPI 3.0's schema dialect is
 * translated first: `nullable` becomes a "null" type, boolean exclusiveMinimum/exclusiveMaximum become numbers, the
 * formats of FORMATS become patterns or ranges, annotations 2020-12 lacks (example, xml, externalDocs, discriminator,
 * x-*) are dropped, and `#/components/schemas/…` references are resolved. A schema that cannot be enforced in full
 * (an unknown format, a keyword without the type it constrains) fails the check: a rule is never silently skipped.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SchemaError, validateSchema, type JsonPath, type RootSchema } from '@musiccorp/core/json-schema';

/** The contract's path from the workspace root. */
export const contractFile = (service: string) => `services/${service}/contract/openapi.json`;

/** The contract is missing or not an OpenAPI 3.0 document: no response can be checked against it. */
export class ContractFileError extends Error {
  override name = 'ContractFileError';
}

/** One response as the slow-test got it. */
export interface ResponseExchange {
  method: string;
  /** As sent, query included. */
  path: string;
  status: number;
  /** The content-type header, if any. */
  contentType: string | null;
  body: string;
}

/** What the contract says of one response. */
export interface ResponseVerdict {
  /** `POST /items`, `GET /items/{id}`: the contract's operation, or the request as sent when it has none. */
  operation: string;
  status: number;
  /** Each way the response breaks the contract, naming the JSON pointer and what the contract says; empty if none. */
  problems: string[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  method: string;
  template: string;
  /** JSON pointer of the operation in the document. */
  pointer: string;
  matcher: RegExp;
  parameters: number;
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads and checks the service's contract file; throws ContractFileError naming the fix. */
export async function readServiceContract(workspaceRoot: string, service: string): Promise<ServiceContract> {
  const file = contractFile(service);
  const regenerate = `Fix: run npx nx sync (it writes the contract from the route schemas) and commit ${file}`;
  let text: string;
  try {
    text = await readFile(join(workspaceRoot, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new ContractFileError(
      `${file} does not exist, so the artifact's responses cannot be checked against the service's contract. ${regenerate}.`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ContractFileError(`${file} is not JSON (${(error as Error).message}). ${regenerate}.`);
  }
  return new ServiceContract(file, document, createHash('sha256').update(text).digest('hex'));
}

export class ServiceContract {
  private readonly operations: Operation[];
  /** The validation root of each schema pointer, translated once. */
  private readonly roots = new Map<string, RootSchema | ContractSchemaError>();

  constructor(
    /** Where it was read from, for messages: `services/<name>/contract/openapi.json`. */
    readonly file: string,
    private readonly document: unknown,
    /** sha256 of the file's bytes: which contract a run record was checked against. */
    readonly sha256: string,
  ) {
    const version = isObject(document) ? document['openapi'] : undefined;
    if (typeof version !== 'string' || !/^3\.0\.\d+$/.test(version))
      throw new ContractFileError(
        `${file} is not an OpenAPI 3.0 document (its "openapi" is ${JSON.stringify(version) ?? 'missing'}). ` +
          `Fix: run npx nx sync to write it again from the route schemas, and commit it.`,
      );
    const paths = (document as JsonObject)['paths'];
    if (!isObject(paths))
      throw new ContractFileError(
        `${file} has no "paths" object. Fix: run npx nx sync to write it again, and commit it.`,
      );
    this.operations = Object.entries(paths).flatMap(([template, item]) =>
      isObject(item)
        ? METHODS.filter((method) => isObject(item[method])).map((method) => operation(template, method))
        : [],
    );
  }

  /** `GET /items/{id}`, … in the contract's order. */
  listOperations(): string[] {
    return this.operations.map((op) => `${op.method.toUpperCase()} ${op.template}`);
  }

  /**
   * The contract's operation for a request: a concrete path before a template (as OpenAPI says), then the template
   * with fewer parameters. Undefined when the contract has none.
   */
  operationFor(method: string, path: string): string | undefined {
    const op = this.find(method, path);
    return op && `${op.method.toUpperCase()} ${op.template}`;
  }

  /**
   * A GET operation on one item of the collection at `collection` (`/items` → `GET /items/{id}`), with the name of
   * its one path parameter: where to read back what a POST there created.
   */
  itemOperation(collection: string): { template: string; parameter: string } | undefined {
    const prefix = `${pathnameOf(collection).replace(/\/$/, '')}/`;
    for (const op of this.operations) {
      const parameter = /^\{([^{}/]+)\}$/.exec(op.template.slice(prefix.length))?.[1];
      if (op.method === 'get' && op.template.startsWith(prefix) && parameter)
        return { template: op.template, parameter };
    }
    return undefined;
  }

  check(exchange: ResponseExchange): ResponseVerdict {
    const pathname = pathnameOf(exchange.path);
    const op = this.find(exchange.method, exchange.path);
    const sent = `${exchange.method.toUpperCase()} ${pathname}`;
    if (!op) {
      const declared = this.listOperations();
      return {
        operation: sent,
        status: exchange.status,
        problems: [
          `${sent} is not an operation of the contract (it declares ${declared.join(', ') || 'none'}). ` +
            `Fix: give the route a schema, run npx nx sync and commit ${this.file}`,
        ],
      };
    }
    const name = `${op.method.toUpperCase()} ${op.template}`;
    return { operation: name, status: exchange.status, problems: this.responseProblems(op, name, exchange) };
  }

  private find(method: string, path: string): Operation | undefined {
    const pathname = pathnameOf(path);
    return this.operations
      .filter((op) => op.method === method.toLowerCase() && op.matcher.test(pathname))
      .sort((a, b) => a.parameters - b.parameters)[0];
  }

  private responseProblems(op: Operation, name: string, exchange: ResponseExchange): string[] {
    const responsesAt = `${op.pointer}/responses`;
    const responses = this.resolve(responsesAt);
    const keys = isObject(responses.value) ? Object.keys(responses.value) : [];
    const status = String(exchange.status);
    const key =
      keys.find((candidate) => candidate === status) ??
      keys.find((candidate) => candidate.toUpperCase() === `${status[0]}XX`) ??
      keys.find((candidate) => candidate === 'default');
    if (key === undefined)
      return [
        `${name} answered ${status}, a status the contract does not declare for it (it declares ${keys.join(', ') || 'none'}). ` +
          `Fix: declare ${status} in the route's response schema, run npx nx sync and commit ${this.file}`,
      ];
    const responseAt = this.resolve(`${responses.pointer}/${escapeKey(key)}`);
    const where = `${name} → ${status}`;
    const content = isObject(responseAt.value) ? responseAt.value['content'] : undefined;
    const mediaTypes = isObject(content) ? Object.keys(content) : [];
    if (mediaTypes.length === 0)
      return exchange.body === ''
        ? []
        : [
            `${where}: answered a body (${exchange.contentType ?? 'no content-type'}), but the contract declares none for ${key} (${this.at(responseAt.pointer)})`,
          ];

    const media = exchange.contentType?.replace(/;.*$/s, '').trim().toLowerCase();
    const declared = mediaTypes.join(', ');
    if (!media) return [`${where}: answered without a content-type; the contract declares ${declared}`];
    const [type] = media.split('/');
    const mediaKey =
      mediaTypes.find((candidate) => candidate.toLowerCase() === media) ??
      mediaTypes.find((candidate) => candidate.toLowerCase() === `${type}/*`) ??
      mediaTypes.find((candidate) => candidate === '*/*');
    if (mediaKey === undefined)
      return [`${where}: answered ${media}, a content type the contract does not declare (it declares ${declared})`];

    const schemaAt = `${responseAt.pointer}/content/${escapeKey(mediaKey)}/schema`;
    if (lookup(this.document, schemaAt) === undefined) return [];
    let body: unknown;
    if (media === 'application/json' || media.endsWith('+json')) {
      try {
        body = JSON.parse(exchange.body);
      } catch {
        return [`${where}: the body is not JSON (${shortText(exchange.body)}), as ${media} says it is`];
      }
    } else if (type === 'text') {
      body = exchange.body;
    } else {
      return []; // binary: the content type is all that is declared of it here
    }
    return this.bodyProblems(schemaAt, body).map((problem) => `${where}: ${problem}`);
  }

  private bodyProblems(schemaAt: string, body: unknown): string[] {
    const root = this.validationRoot(schemaAt);
    try {
      if (root instanceof ContractSchemaError) throw root;
      return validateSchema(body, root).map((problem) => this.describeProblem(schemaAt, problem.path, problem.message));
    } catch (error) {
      if (error instanceof ContractSchemaError)
        return [`the contract's schema cannot be enforced: ${this.file} ${error.message}`];
      if (error instanceof SchemaError)
        return [`the contract's schema cannot be enforced: ${this.file} ${contractPointers(error.message, schemaAt)}`];
      throw error;
    }
  }

  /** `/createdAt: must be a string (got 5); the contract (#/…/createdAt) says {"type":"string","format":"date-time"}`. */
  private describeProblem(schemaAt: string, path: JsonPath, message: string): string {
    const declared = declaredAt(this.document, schemaAt, path);
    return `${valuePointer(path)}: ${message}; the contract (${this.at(declared.pointer)}) says ${shortJson(declared.schema)}`;
  }

  private at(pointer: string): string {
    return `${this.file}#${pointer}`;
  }

  /** The value at `pointer`, following a `$ref` there (a response object may be `#/components/responses/…`). */
  private resolve(pointer: string): { pointer: string; value: unknown } {
    let at = pointer;
    let value = lookup(this.document, at);
    for (let hops = 0; isObject(value) && typeof value['$ref'] === 'string' && hops < 16; hops++) {
      const ref = value['$ref'];
      if (!ref.startsWith('#/')) break;
      at = ref.slice(1);
      value = lookup(this.document, at);
    }
    return { pointer: at, value };
  }

  private validationRoot(schemaAt: string): RootSchema | ContractSchemaError {
    let root = this.roots.get(schemaAt);
    if (!root) {
      root = translateSchema(this.document, schemaAt);
      this.roots.set(schemaAt, root);
    }
    return root;
  }
}

function operation(template: string, method: string): Operation {
  const parts = template.split(/(\{[^{}/]+\})/);
  const pattern = parts
    .map((part, index) => (index % 2 === 1 ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return {
    method,
    template,
    pointer: `/paths/${escapeKey(template)}/${method}`,
    matcher: new RegExp(`^${pattern}$`),
    parameters: (parts.length - 1) / 2,
  };
}

/** The contract's schema cannot be enforced as written; `message` starts with its pointer. */
class ContractSchemaError extends Error {
  override name = 'ContractSchemaError';
  constructor(pointer: string, problem: string, fix: string) {
    super(`#${pointer}: ${problem}. Fix: ${fix}, then run npx nx sync`);
  }
}

/**
 * A format is checked as a pattern (strings) or a range (integers): core's ajv loads no formats. The patterns check
 * the shape a format promises (RFC 3339 dates: fields in range, not the days of each month).
 */
const STRING_FORMATS: Record<string, string> = {
  uuid: '^(?:urn:uuid:)?[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
  'date-time':
    '^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])[Tt ](?:[01]\\d|2[0-3]):[0-5]\\d:(?:[0-5]\\d|60)(?:\\.\\d+)?(?:[Zz]|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)$',
  date: '^\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])$',
  time: '^(?:[01]\\d|2[0-3]):[0-5]\\d:(?:[0-5]\\d|60)(?:\\.\\d+)?(?:[Zz]|[+-](?:[01]\\d|2[0-3]):[0-5]\\d)?$',
  email: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$',
  uri: '^[A-Za-z][A-Za-z0-9+.-]*:\\S*$',
  hostname:
    '^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$',
  ipv4: '^(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$',
  byte: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
};
const INTEGER_FORMATS: Record<string, { minimum: number; maximum: number }> = {
  int32: { minimum: -2147483648, maximum: 2147483647 },
};
/** OpenAPI's formats that say how a value is stored or shown, not which values are valid. */
const ANNOTATION_FORMATS = new Set(['int64', 'float', 'double', 'password', 'binary']);
const KNOWN_FORMATS = [...Object.keys(STRING_FORMATS), ...Object.keys(INTEGER_FORMATS), ...ANNOTATION_FORMATS];

/** Keywords whose value maps names to schemas, holds a list of schemas, or is one schema. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_VALUES = new Set([
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
]);
/** OpenAPI 3.0 annotations draft 2020-12 does not know (strict ajv would refuse them); `nullable` is translated. */
const OPENAPI_ANNOTATIONS = new Set(['nullable', 'example', 'xml', 'externalDocs', 'discriminator']);

/** Where the referenced components go in a validation root (a name no OpenAPI schema takes). */
const COMPONENTS_PREFIX = '/$defs/openapi-components/$defs/';
const CONTRACT_COMPONENTS_PREFIX = '/components/schemas/';

/**
 * The schema at `schemaAt` as a draft 2020-12 root, with every component it references (transitively) under
 * COMPONENTS_PREFIX.
 */
function translateSchema(document: unknown, schemaAt: string): RootSchema | ContractSchemaError {
  const referenced = new Set<string>();
  try {
    const root = translate(lookup(document, schemaAt), schemaAt, referenced);
    const components: JsonObject = {};
    for (const name of referenced) {
      // `referenced` grows while it is walked: a component's own references are added behind it.
      const at = `${CONTRACT_COMPONENTS_PREFIX}${escapeKey(name)}`;
      const schema = lookup(document, at);
      if (schema === undefined) throw new ContractSchemaError(at, 'is referenced but not defined', 'define it');
      components[name] = translate(schema, at, referenced);
    }
    if (referenced.size === 0) return typeof root === 'boolean' ? { allOf: [root] } : root;
    return {
      ...(typeof root === 'boolean' ? { allOf: [root] } : root),
      $defs: { 'openapi-components': { $defs: components } },
    };
  } catch (error) {
    if (error instanceof ContractSchemaError) return error;
    throw error;
  }
}

function translate(node: unknown, at: string, referenced: Set<string>): JsonObject | boolean {
  if (typeof node === 'boolean') return node;
  if (!isObject(node))
    throw new ContractSchemaError(at, `is ${JSON.stringify(node)}, not a schema`, 'make it a schema');
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    const here = `${at}/${escapeKey(key)}`;
    if (key.startsWith('x-') || OPENAPI_ANNOTATIONS.has(key) || key === 'format') continue;
    if (key === '$ref') out[key] = localReference(value, here, referenced);
    else if (SCHEMA_MAPS.has(key) && isObject(value))
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, child]) => [
          name,
          translate(child, `${here}/${escapeKey(name)}`, referenced),
        ]),
      );
    else if (SCHEMA_LISTS.has(key) && Array.isArray(value))
      out[key] = value.map((child, index) => translate(child, `${here}/${index}`, referenced));
    else if (SCHEMA_VALUES.has(key)) {
      if (Array.isArray(value))
        throw new ContractSchemaError(
          here,
          'is a list of schemas (a tuple), which OpenAPI 3.0 does not allow',
          'give it one schema',
        );
      out[key] = translate(value, here, referenced);
    } else out[key] = value;
  }
  // OpenAPI 3.0 (JSON Schema draft 4): a boolean says whether minimum/maximum is exclusive.
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof node[exclusive] !== 'boolean') continue;
    delete out[exclusive];
    if (node[exclusive] && typeof node[bound] === 'number') {
      out[exclusive] = node[bound];
      delete out[bound];
    }
  }
  if (typeof node['format'] === 'string') applyFormat(out, node['format'], `${at}/format`);
  if (node['nullable'] !== true) return out;
  if (typeof out['type'] === 'string') return { ...out, type: [out['type'], 'null'] };
  if (Array.isArray(out['type']))
    return out['type'].includes('null') ? out : { ...out, type: [...out['type'], 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}

function applyFormat(out: JsonObject, format: string, at: string): void {
  if (ANNOTATION_FORMATS.has(format)) return;
  const types = typeof out['type'] === 'string' ? [out['type']] : Array.isArray(out['type']) ? out['type'] : undefined;
  const rule = (kind: string, schema: JsonObject) => {
    if (!types)
      throw new ContractSchemaError(
        at,
        `format "${format}" constrains only ${kind} values, and the schema's "type" does not say ${kind}`,
        `add "type": "${kind}" to the route's schema`,
      );
    // A format on another type of value constrains nothing.
    if (types.includes(kind) || (kind === 'integer' && types.includes('number')))
      out['allOf'] = [...((out['allOf'] as unknown[] | undefined) ?? []), schema];
  };
  const pattern = STRING_FORMATS[format];
  const range = INTEGER_FORMATS[format];
  if (pattern) rule('string', { pattern });
  else if (range) rule('integer', range);
  else
    throw new ContractSchemaError(
      at,
      `format "${format}" is not one the slow-test checks (${KNOWN_FORMATS.join(', ')})`,
      `use one of those, or a "pattern", in the route's schema (or teach tools/pipeline/src/contract-checks.ts the format)`,
    );
}

function localReference(ref: unknown, at: string, referenced: Set<string>): string {
  const target = typeof ref === 'string' && ref.startsWith(`#${CONTRACT_COMPONENTS_PREFIX}`) ? ref.slice(1) : undefined;
  if (!target)
    throw new ContractSchemaError(
      at,
      `${JSON.stringify(ref)} is not a reference to "#/components/schemas/<name>"`,
      'register the shared schema with app.addSchema({ $id }) and refer to it by that $id',
    );
  const [name = '', ...rest] = target.slice(CONTRACT_COMPONENTS_PREFIX.length).split('/');
  referenced.add(unescapeKey(name));
  return `#${COMPONENTS_PREFIX}${[name, ...rest].join('/')}`;
}

/** core's `the schema #/…: …` in the contract's pointers: the component's, or the schema's under `schemaAt`. */
function contractPointers(message: string, schemaAt: string): string {
  return message
    .replace(/^the schema #(\S*):/, (_, where: string) =>
      where.startsWith(COMPONENTS_PREFIX)
        ? `#${CONTRACT_COMPONENTS_PREFIX}${where.slice(COMPONENTS_PREFIX.length)}:`
        : `#${schemaAt}${where}:`,
    )
    .replaceAll(`#${COMPONENTS_PREFIX}`, `#${CONTRACT_COMPONENTS_PREFIX}`);
}

/** The declared schema for the value at `path` in a body validated against `schemaAt` (through `$ref`s). */
function declaredAt(document: unknown, schemaAt: string, path: JsonPath): { pointer: string; schema: unknown } {
  let at = schemaAt;
  let node = lookup(document, at);
  const follow = () => {
    for (let hops = 0; isObject(node) && typeof node['$ref'] === 'string' && hops < 16; hops++) {
      if (!node['$ref'].startsWith('#/')) return;
      at = node['$ref'].slice(1);
      node = lookup(document, at);
    }
  };
  follow();
  for (const key of path) {
    if (!isObject(node)) break;
    const properties = node['properties'];
    if (typeof key === 'number' && isObject(node['items'])) at = `${at}/items`;
    else if (typeof key === 'string' && isObject(properties) && Object.hasOwn(properties, key))
      at = `${at}/properties/${escapeKey(key)}`;
    else if (typeof key === 'string' && isObject(node['additionalProperties'])) at = `${at}/additionalProperties`;
    else break; // an undeclared value: what its parent declares is what the contract says
    node = lookup(document, at);
    follow();
  }
  return { pointer: at, schema: node };
}

/** The value at a JSON pointer (`/paths/~1items/post`). */
function lookup(document: unknown, pointer: string): unknown {
  let value = document;
  for (const raw of pointer.split('/').slice(1)) {
    if (!isObject(value) && !Array.isArray(value)) return undefined;
    const key = unescapeKey(raw);
    value = Object.hasOwn(value, key) ? (value as JsonObject)[key] : undefined;
  }
  return value;
}

/** The path without its query. */
export const pathnameOf = (path: string) => path.replace(/\?.*$/s, '');

const escapeKey = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
const unescapeKey = (key: string) => key.replaceAll('~1', '/').replaceAll('~0', '~');

/** The RFC 6901 pointer of a value in the body (`/items/0/name`); the body itself is `(the body)`, not `""`. */
function valuePointer(path: JsonPath): string {
  return path.length ? path.map((key) => `/${escapeKey(String(key))}`).join('') : '(the body)';
}

function shortJson(value: unknown): string {
  return shortText(JSON.stringify(value) ?? 'nothing', 160);
}

function shortText(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
