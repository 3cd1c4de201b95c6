/**
 * The one JSON Schema interpreter of the workspace: platform/teams.schema.json (owners) and
 * platform/environments/environment.schema.json (deploy) are read by it, so each schema file stays the single source of
 * its field rules without a schema library. It interprets exactly the keywords those schemas use (SUPPORTED_KEYWORDS);
 * a schema that uses any other keyword, an unknown type, a $ref it cannot resolve or a pattern that does not compile
 * is refused with a SchemaError before any data is checked, so a rule is never silently ignored.
 *
 * Data problems carry the JSON path (`teams[2].handle`), what is wrong and the fix. Also here: line numbers for JSON
 * values and syntax errors, from jsonc-eslint-parser (loaded only when there is a problem to report).
 *
 * No I/O and no import.meta at import time: the generators bundle this module (through owners/teams.ts) with esbuild.
 */

export type JsonPath = (string | number)[];

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'boolean';

export interface SchemaNode {
  type?: SchemaType;
  /** Checked first; a value outside the list is reported once, without the type rules. */
  enum?: unknown[];
  /** `#/$defs/<name>`, applied in addition to the sibling keywords (draft 2020-12 semantics). */
  $ref?: string;
  // objects
  required?: string[];
  properties?: Record<string, SchemaNode>;
  /** false: a closed object; a schema: every property not in `properties` (a map). */
  additionalProperties?: boolean | SchemaNode;
  /** A string schema every key must satisfy. */
  propertyNames?: SchemaNode;
  // arrays
  items?: SchemaNode;
  minItems?: number;
  uniqueItems?: boolean;
  // strings
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  // integers
  minimum?: number;
  maximum?: number;
  // annotations
  description?: string;
  title?: string;
  $schema?: string;
  $id?: string;
  $defs?: Record<string, SchemaNode>;
}

export type RootSchema = SchemaNode;

/** Every keyword the interpreter knows; checkSchema refuses a schema with any other. */
export const SUPPORTED_KEYWORDS: ReadonlySet<string> = new Set([
  ...['type', 'enum', '$ref', 'required', 'properties', 'additionalProperties', 'propertyNames'],
  ...['items', 'minItems', 'uniqueItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum'],
  ...['description', 'title', '$schema', '$id', '$defs'],
]);

const SUPPORTED_TYPES: ReadonlySet<string> = new Set<SchemaType>(['object', 'array', 'string', 'integer', 'boolean']);

export interface SchemaProblem {
  path: JsonPath;
  message: string;
  fix: string;
}

/** The schema itself is wrong (or uses JSON Schema this interpreter does not enforce): a bug in the schema file. */
export class SchemaError extends Error {
  override name = 'SchemaError';
}

/** `teams[2].handle`; keys that are not plain names are quoted (`env["A B"]`); the root is `(top level)`. */
export function formatPath(path: JsonPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(key)}]`;
  }
  return out || '(top level)';
}

/** `teams[2].handle: is not valid (got "x"). Fix: it must match ^@musiccorp/….` */
export function formatProblem(problem: SchemaProblem): string {
  return `${formatPath(problem.path)}: ${problem.message}. Fix: ${problem.fix.replace(/\.$/, '')}.`;
}

/** Every problem of `value` against `root`; throws SchemaError when the schema itself cannot be enforced. */
export function validateSchema(value: unknown, root: RootSchema): SchemaProblem[] {
  checkSchema(root);
  const out: SchemaProblem[] = [];
  check(value, root, root, [], out);
  // A $ref and its sibling keywords may both report the same fault (e.g. "must be an object").
  const seen = new Set<string>();
  return out.filter((problem) => {
    const key = JSON.stringify([problem.path, problem.message]);
    return !seen.has(key) && seen.add(key);
  });
}

const checkedSchemas = new WeakSet<object>();

/**
 * Throws SchemaError for anything in `root` the interpreter would not enforce: an unknown keyword, an unknown type, a
 * $ref that is not `#/$defs/<name>` or names no definition, a pattern that does not compile, a malformed keyword value.
 */
export function checkSchema(root: RootSchema): void {
  if (checkedSchemas.has(root)) return;
  const name = typeof root.$id === 'string' ? root.$id : 'the schema';
  const fail = (where: string, problem: string, fix: string): never => {
    throw new SchemaError(`${name} ${where}: ${problem}. Fix: ${fix}.`);
  };
  const walk = (node: unknown, where: string): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      fail(where, `is ${JSON.stringify(node)}, not a schema object`, 'write a schema object {…}');
    }
    const schema = node as Record<string, unknown>;
    for (const [keyword, setting] of Object.entries(schema)) {
      const at = `${where}/${keyword}`;
      const expect = (ok: boolean, what: string): void => {
        if (!ok) fail(at, `must be ${what} (got ${JSON.stringify(setting)})`, `make it ${what}`);
      };
      switch (keyword) {
        case 'type':
          if (typeof setting !== 'string' || !SUPPORTED_TYPES.has(setting)) {
            fail(
              at,
              `type ${JSON.stringify(setting)} is not enforced by tools/core/src/json-schema.ts`,
              `use one of ${[...SUPPORTED_TYPES].join(', ')}, or teach the interpreter the type (with a spec)`,
            );
          }
          break;
        case 'enum':
          expect(Array.isArray(setting) && setting.length > 0, 'a non-empty array');
          break;
        case '$ref': {
          const target = typeof setting === 'string' ? /^#\/\$defs\/([^/]+)$/.exec(setting)?.[1] : undefined;
          if (target === undefined)
            fail(
              at,
              `${JSON.stringify(setting)} is not a "#/$defs/<name>" reference`,
              'point it at a definition under $defs',
            );
          else if (!Object.hasOwn(root.$defs ?? {}, target))
            fail(at, `${setting as string} does not exist`, `add "${target}" under $defs, or fix the name`);
          break;
        }
        case 'required':
          expect(
            Array.isArray(setting) && setting.every((key) => typeof key === 'string'),
            'an array of property names',
          );
          break;
        case 'properties':
        case '$defs':
          if (keyword === '$defs' && where !== '#')
            fail(at, '$defs is only read at the top level', 'move it to the top level');
          expect(typeof setting === 'object' && setting !== null && !Array.isArray(setting), 'an object of schemas');
          for (const [key, child] of Object.entries(setting as object)) walk(child, `${at}/${key}`);
          break;
        case 'additionalProperties':
          if (typeof setting !== 'boolean') walk(setting, at);
          break;
        case 'propertyNames':
        case 'items':
          walk(setting, at);
          break;
        case 'minItems':
        case 'minLength':
        case 'maxLength':
          expect(Number.isInteger(setting) && (setting as number) >= 0, 'a non-negative integer');
          break;
        case 'minimum':
        case 'maximum':
          expect(typeof setting === 'number' && Number.isFinite(setting), 'a number');
          break;
        case 'uniqueItems':
          expect(typeof setting === 'boolean', 'true or false');
          break;
        case 'pattern':
          expect(typeof setting === 'string', 'a regular expression in a string');
          try {
            new RegExp(setting as string);
          } catch (error) {
            fail(at, `does not compile (${(error as Error).message})`, 'correct the regular expression');
          }
          break;
        case 'description':
        case 'title':
        case '$schema':
        case '$id':
          expect(typeof setting === 'string', 'a string');
          break;
        default:
          fail(
            at,
            `"${keyword}" is not a keyword tools/core/src/json-schema.ts enforces, so its rule would be silently ignored`,
            'remove it, or teach the interpreter the keyword (with a spec)',
          );
      }
    }
  };
  walk(root, '#');
  checkedSchemas.add(root);
}

function check(value: unknown, node: SchemaNode, root: RootSchema, path: JsonPath, out: SchemaProblem[]): void {
  // checkSchema has made sure every $ref names a definition.
  const target = node.$ref ? root.$defs?.[node.$ref.slice('#/$defs/'.length)] : undefined;
  if (target) check(value, target, root, path, out);
  const hint = node.description ? ` (${node.description.replace(/\.$/, '')})` : '';

  if (node.enum && !node.enum.some((allowed) => allowed === value)) {
    const options = node.enum.map((allowed) => JSON.stringify(allowed)).join(', ');
    const got = shortJson(value);
    out.push({ path, message: `must be one of ${options} (got ${got})`, fix: `use one of ${options}${hint}` });
    return;
  }
  if (node.type && !hasType(value, node.type)) {
    out.push({ path, ...typeProblem(value, node, node.type, hint) });
    return;
  }
  // As in JSON Schema, each keyword constrains the values it is about (pattern strings, items arrays, …), whether or
  // not `type` is given: `propertyNames: {"pattern": …}` has no type.
  if (typeof value === 'string') checkString(value, node, path, out, hint);
  else if (typeof value === 'number') checkNumber(value, node, path, out, hint);
  else if (Array.isArray(value)) checkArray(value, node, root, path, out, hint);
  else if (typeof value === 'object' && value !== null) {
    checkObject(value as Record<string, unknown>, node, root, path, out);
  }
}

function hasType(value: unknown, type: SchemaType): boolean {
  switch (type) {
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

/** `an integer from 1 to 50`, `a number from 1 to …`, `an integer`. */
function range(node: SchemaNode): string {
  const kind = node.type === 'integer' ? 'an integer' : 'a number';
  if (node.minimum === undefined && node.maximum === undefined) return kind;
  return `${kind} from ${node.minimum ?? '…'} to ${node.maximum ?? '…'}`;
}

function typeProblem(
  value: unknown,
  node: SchemaNode,
  type: SchemaType,
  hint: string,
): { message: string; fix: string } {
  const got = `(got ${shortJson(value)})`;
  switch (type) {
    case 'object':
      return { message: `must be an object ${got}`, fix: `write a JSON object {…}${hint}` };
    case 'array':
      return { message: `must be an array ${got}`, fix: `write a JSON array […]${hint}` };
    case 'string':
      return { message: `must be a string ${got}`, fix: `write it as a string, in double quotes${hint}` };
    case 'integer':
      return { message: `must be ${range(node)} ${got}`, fix: `write ${range(node)}, without quotes${hint}` };
    case 'boolean':
      return { message: `must be true or false ${got}`, fix: `write true or false, without quotes${hint}` };
  }
}

/** `(got [1,2])`, shortened: the whole of a large object would bury the message. */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function checkNumber(value: number, node: SchemaNode, path: JsonPath, out: SchemaProblem[], hint: string): void {
  if (value < (node.minimum ?? -Infinity) || value > (node.maximum ?? Infinity)) {
    out.push({ path, message: `must be ${range(node)} (got ${value})`, fix: `write ${range(node)}${hint}` });
  }
}

function checkObject(
  record: Record<string, unknown>,
  node: SchemaNode,
  root: RootSchema,
  path: JsonPath,
  out: SchemaProblem[],
): void {
  for (const key of node.required ?? []) {
    if (!Object.hasOwn(record, key)) {
      const about = node.properties?.[key]?.description;
      out.push({ path: [...path, key], message: 'is missing', fix: `add "${key}"${about ? ` — ${about}` : ''}` });
    }
  }
  for (const [key, child] of Object.entries(record)) {
    if (node.propertyNames) {
      const nameProblems: SchemaProblem[] = [];
      check(key, node.propertyNames, root, [], nameProblems);
      if (nameProblems.length > 0) {
        out.push({
          path: [...path, key],
          message: 'is not a valid name',
          fix: `rename it: ${nameProblems.map((problem) => problem.fix).join('; ')}`,
        });
        continue;
      }
    }
    const childSchema = node.properties && Object.hasOwn(node.properties, key) ? node.properties[key] : undefined;
    if (childSchema) check(child, childSchema, root, [...path, key], out);
    else if (node.additionalProperties === false) {
      const known = Object.keys(node.properties ?? {}).filter((name) => name !== '$schema');
      out.push({
        path: [...path, key],
        message: 'is not a known field',
        fix: `remove it; known fields: ${known.join(', ') || 'none'}`,
      });
    } else if (typeof node.additionalProperties === 'object') {
      check(child, node.additionalProperties, root, [...path, key], out);
    }
  }
}

function checkArray(
  value: unknown[],
  node: SchemaNode,
  root: RootSchema,
  path: JsonPath,
  out: SchemaProblem[],
  hint: string,
): void {
  if (node.minItems !== undefined && value.length < node.minItems) {
    const items = `${node.minItems} item${node.minItems === 1 ? '' : 's'}`;
    out.push({
      path,
      message: `must have at least ${items}`,
      fix: `add ${value.length === 0 ? 'one' : 'more'}${hint}`,
    });
  }
  if (node.uniqueItems) {
    const seen = new Set<string>();
    value.forEach((item, i) => {
      const key = JSON.stringify(item);
      if (seen.has(key)) out.push({ path: [...path, i], message: `repeats ${key}`, fix: 'remove the duplicate' });
      seen.add(key);
    });
  }
  const { items } = node;
  if (items) value.forEach((item, i) => check(item, items, root, [...path, i], out));
}

function checkString(value: string, node: SchemaNode, path: JsonPath, out: SchemaProblem[], hint: string): void {
  if (node.minLength !== undefined && value.length < node.minLength) {
    out.push(
      node.minLength === 1
        ? { path, message: 'must not be empty', fix: `fill it in${hint}` }
        : { path, message: `is shorter than ${node.minLength} characters`, fix: `lengthen it${hint}` },
    );
  }
  if (node.maxLength !== undefined && value.length > node.maxLength) {
    out.push({ path, message: `is longer than ${node.maxLength} characters`, fix: `shorten it${hint}` });
  }
  if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) {
    out.push({
      path,
      message: `is not valid (got ${JSON.stringify(value)})`,
      fix: `it must match ${node.pattern}${hint}`,
    });
  }
}

/** A JSON syntax error with its line: V8's message does not always give a position, jsonc-eslint-parser's does. */
export async function jsonSyntaxError(text: string, error: Error): Promise<{ line: number | null; message: string }> {
  let line: number | null = null;
  let message = error.message.split('\n')[0] ?? error.message;
  try {
    const { parseJSON } = await import('jsonc-eslint-parser');
    parseJSON(text, { jsonSyntax: 'JSON' });
  } catch (parseError) {
    const located = parseError as Error & { lineNumber?: number };
    if (typeof located.lineNumber === 'number') [line, message] = [located.lineNumber, located.message];
  }
  return { line, message };
}

/** 1-based line of the value at `path`, found with jsonc-eslint-parser (loaded only when there is something to report). */
export async function lineFinder(text: string): Promise<(path: JsonPath) => number | null> {
  type Node = {
    type: string;
    loc: { start: { line: number } };
    properties?: { key: { value?: unknown; name?: string }; value: Node; loc: Node['loc'] }[];
    elements?: (Node | null)[];
  };
  const { parseJSON } = await import('jsonc-eslint-parser');
  const program = parseJSON(text, { jsonSyntax: 'JSON' }) as unknown as { body: { expression: Node }[] };
  return (path) => {
    let node: Node | undefined = program.body[0]?.expression;
    let line = node?.loc.start.line ?? null;
    for (const key of path) {
      if (!node) break;
      if (typeof key === 'number') node = node.elements?.[key] ?? undefined;
      else {
        const property = node.properties?.find((candidate) => (candidate.key.value ?? candidate.key.name) === key);
        if (property) line = property.loc.start.line;
        node = property?.value;
      }
      if (node) line = node.loc.start.line;
    }
    return line;
  };
}
