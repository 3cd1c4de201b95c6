/**
 * Schema validation for the workspace's data files: platform/teams.schema.json (owners, generators) and
 * platform/environments/environment.schema.json (deploy), JSON Schema draft 2020-12, enforced by ajv in strict mode.
 * A schema ajv would not fully enforce — another draft, an unknown keyword or format, a keyword whose type the schema
 * does not state, a $ref that does not resolve, a pattern that does not compile — is refused with a SchemaError before
 * any data is checked, so a rule is never silently ignored (checkSchema also applies the draft's meta-schema).
 *
 * ajv's errors become problems that carry the JSON path (`teams[2].handle`), what is wrong and the fix: one problem per
 * fault, in document order. Also here: line numbers for JSON values and syntax errors, from jsonc-eslint-parser (loaded
 * only when there is a problem to report).
 *
 * No I/O and no import.meta at import time: the generators bundle this module (through core/teams.ts) with esbuild,
 * as CommonJS.
 */
import { createRequire } from 'node:module';
import type Ajv2020 from 'ajv/dist/2020.js';
import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv/dist/2020.js';

export type JsonPath = (string | number)[];

/** A draft 2020-12 schema, as parsed from its file. */
export type RootSchema = SchemaObject;

export interface SchemaProblem {
  path: JsonPath;
  message: string;
  fix: string;
}

/** The schema itself is wrong (or uses JSON Schema ajv would not enforce): a bug in the schema file. */
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

/** Every problem of `value` against `root`; throws SchemaError when ajv would not enforce the schema in full. */
export function validateSchema(value: unknown, root: RootSchema): SchemaProblem[] {
  const validate = validatorFor(root);
  return validate(value) ? [] : problemsOf(validate.errors ?? [], value);
}

/**
 * Throws SchemaError for what validateSchema refuses, and also for a keyword value the draft 2020-12 meta-schema
 * refuses (`"minItems": -1`). Compiling the meta-schema costs about as much as loading ajv, and more than compiling
 * both of the workspace's schemas, so the CLIs leave it to the specs, which check each of the repo's schemas with it.
 */
export function checkSchema(root: RootSchema): void {
  checkDraft(root);
  const ajv = instance();
  if (!ajv.validateSchema(root)) {
    const problems = problemsOf(ajv.errors ?? [], root);
    throw new SchemaError(
      problems.map((p) => `${nameOf(root)} ${pointer(p.path)}: ${p.message}. Fix: ${p.fix}.`).join('\n'),
    );
  }
  validatorFor(root);
}

const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
/**
 * ajv is loaded on the first validation, not at import: most commands that import this module (owners who and
 * reviewers, --help) never validate, and loading ajv is a large part of a CLI's start-up. Bundled as CommonJS
 * (the generators) `__filename` locates the requiring module; as ESM, import.meta.url does.
 */
let ajvModule: typeof import('ajv/dist/2020.js') | undefined;
function ajvClasses(): typeof import('ajv/dist/2020.js') {
  ajvModule ??= createRequire(typeof __filename === 'string' ? __filename : import.meta.url)(
    'ajv/dist/2020.js',
  ) as typeof import('ajv/dist/2020.js');
  return ajvModule;
}

let ajv: Ajv2020 | undefined;
// The CLIs validate on every run: each schema is compiled once per process, looked up by object, then by content
// (the generators parse the schema file again on each read).
const validatorsBySchema = new WeakMap<RootSchema, ValidateFunction>();
const validatorsByText = new Map<string, ValidateFunction>();

function instance(): Ajv2020 {
  const { default: Ajv } = ajvClasses();
  ajv ??= new Ajv({
    strict: true,
    allErrors: true,
    // Errors carry the data ("got …") and the schema object around the keyword (its description, its bounds).
    verbose: true,
    // An inherited property (`constructor`) is not a present one.
    ownProperties: true,
    // Two equal schemas (parsed twice) must not clash on their $id in this one instance.
    addUsedSchema: false,
    // The meta-schema is checkSchema's (see there).
    validateSchema: false,
  });
  return ajv;
}

function validatorFor(root: RootSchema): ValidateFunction {
  let validate = validatorsBySchema.get(root);
  if (validate) return validate;
  const text = JSON.stringify(root);
  validate = validatorsByText.get(text);
  if (!validate) {
    checkDraft(root);
    try {
      validate = instance().compile(root);
    } catch (error) {
      const { where, problem, fix } = compileRefusal(root, error as Error);
      throw new SchemaError(`${nameOf(root)} ${where}: ${problem}. Fix: ${fix}.`);
    }
    validatorsByText.set(text, validate);
  }
  validatorsBySchema.set(root, validate);
  return validate;
}

function nameOf(root: RootSchema): string {
  return typeof root.$id === 'string' ? root.$id : 'the schema';
}

/** ajv/dist/2020 reads every schema as draft 2020-12: another draft's keywords would mean something else. */
function checkDraft(root: RootSchema): void {
  if (root.$schema !== undefined && root.$schema !== DRAFT_2020_12) {
    throw new SchemaError(
      `${nameOf(root)} #/$schema: ${JSON.stringify(root.$schema)} is not draft 2020-12, the only draft enforced. Fix: write "${DRAFT_2020_12}", and the schema in that draft.`,
    );
  }
}

/** Where in `root`, what and the fix, for an error ajv throws while compiling (strict mode, $ref, pattern). */
function compileRefusal(root: RootSchema, error: Error): { where: string; problem: string; fix: string } {
  const reason = error.message.replace(/^strict mode: /, '');
  // ajv names the schema object as `<$id>#/properties/a`; the keyword is appended where it is known.
  const at = (keyword: string) => `${/"[^"#]*(#[^"]*)"/.exec(reason)?.[1] ?? '#'}${keyword && `/${keyword}`}`;
  let match: RegExpExecArray | null;
  if (error instanceof ajvClasses().default.MissingRefError) {
    const ref = /^can't resolve reference (.+) from id /.exec(reason)?.[1] ?? error.missingRef;
    const where = locate(root, '$ref', ref) ?? '#';
    const definition = /^#\/\$defs\/([^/]+)$/.exec(ref)?.[1];
    if (definition)
      return { where, problem: `${ref} does not exist`, fix: `add "${definition}" under $defs, or fix the name` };
    return ref.startsWith('#')
      ? { where, problem: `${ref} does not exist`, fix: 'point it at a definition under $defs' }
      : {
          where,
          problem: `${JSON.stringify(ref)} is not a "#/$defs/<name>" reference, and no other schema is loaded`,
          fix: 'point it at a definition under $defs',
        };
  }
  if ((match = /^unknown keyword: "(.+)"$/.exec(reason))) {
    return {
      where: locate(root, match[1] ?? '') ?? '#',
      problem: `"${match[1]}" is not a JSON Schema 2020-12 keyword, so its rule would be silently ignored`,
      fix: 'remove it, or correct its spelling',
    };
  }
  if ((match = /^unknown format "(.+)" ignored in schema/.exec(reason))) {
    return {
      where: at('format'),
      problem: `format "${match[1]}" is not enforced (no formats are loaded), so its rule would be silently ignored`,
      fix: 'remove it, or write the rule as a "pattern"',
    };
  }
  if ((match = /^missing type "(.+)" for keyword "(.+)" at /.exec(reason))) {
    const [, type, keyword] = match as unknown as [string, string, string];
    return {
      where: at(keyword),
      problem: `"${keyword}" constrains only ${type} values, and the schema's "type" does not say ${type}`,
      fix: `add "type": "${type}" beside it, or remove it if the value is never a ${type}`,
    };
  }
  if ((match = /^required property "(.+)" is not defined at /.exec(reason))) {
    return {
      where: at('required'),
      problem: `"${match[1]}" is required but not declared under "properties"`,
      fix: `declare "${match[1]}" under "properties" (its type and description), or fix the name`,
    };
  }
  if ((match = /^Invalid regular expression: \/(.*)\/u: (.*)$/.exec(reason))) {
    return {
      where: locate(root, 'pattern', match[1]) ?? '#',
      problem: `does not compile (${match[2]})`,
      fix: 'correct the regular expression (it is compiled with the "u" flag)',
    };
  }
  return { where: at(''), problem: reason, fix: 'correct the schema' };
}

/** Keywords whose value maps names to schemas: their keys are names, not keywords. */
const NAMED_SCHEMAS: ReadonlySet<string> = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
/** Keywords whose value is data, not a schema. */
const DATA_KEYWORDS: ReadonlySet<string> = new Set(['enum', 'const', 'default', 'examples']);

/** `#/$defs/a/items/pattern`: the first `keyword` in the schema (with that value, when given); ajv does not say. */
function locate(node: unknown, keyword: string, value?: unknown, at = '#'): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  for (const [key, child] of Object.entries(node)) {
    const here = `${at}/${key}`;
    if (!Array.isArray(node) && key === keyword && (value === undefined || child === value)) return here;
    if (DATA_KEYWORDS.has(key)) continue;
    const found =
      NAMED_SCHEMAS.has(key) && typeof child === 'object' && child !== null
        ? Object.entries(child).reduce<string | undefined>(
            (first, [name, schema]) => first ?? locate(schema, keyword, value, `${here}/${name}`),
            undefined,
          )
        : locate(child, keyword, value, here);
    if (found) return found;
  }
  return undefined;
}

/** `#/properties/a`: a path in the schema, as JSON Schema writes it. */
function pointer(path: JsonPath): string {
  return ['#', ...path.map((key) => String(key).replaceAll('~', '~0').replaceAll('/', '~1'))].join('/');
}

/**
 * ajv's errors as problems, one per fault: an enum mismatch without the type error beside it, a bad property name
 * without its value's errors, one alternative of an anyOf/oneOf, each repeat of a uniqueItems array; in document order.
 */
function problemsOf(errors: ErrorObject[], data: unknown): SchemaProblem[] {
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(`${outer}/`);
  /** What is wrong with a property name: ajv lists these errors just before its propertyNames error. */
  const nameErrors = (error: ErrorObject) =>
    errors.filter(
      (other) =>
        other !== error &&
        other.instancePath === error.instancePath &&
        other.propertyName === error.params.propertyName,
    );
  const skipped = new Set<ErrorObject>();
  errors.forEach((error, index) => {
    if (error.keyword === 'enum') {
      const node = error.schemaPath.slice(0, -'/enum'.length);
      for (const other of errors) {
        const sameNode = other.schemaPath.startsWith(`${node}/`) && within(other.instancePath, error.instancePath);
        if (other !== error && sameNode) skipped.add(other);
      }
    } else if (error.keyword === 'propertyNames') {
      for (const other of nameErrors(error)) skipped.add(other);
    } else if (error.keyword === 'anyOf' || (error.keyword === 'oneOf' && error.params.passingSchemas === null)) {
      // The alternatives' errors come just before it. The first that is not a type mismatch explains it best; when
      // all are, the combinator's own error stands for them.
      let first = index;
      while (first > 0 && errors[first - 1]?.instancePath === error.instancePath) first--;
      const alternatives = errors.slice(first, index);
      const kept = alternatives.find((other) => other.keyword !== 'type');
      for (const other of alternatives) if (other !== kept) skipped.add(other);
      if (kept) skipped.add(error);
    }
  });

  const nameProblems: SchemaProblem[] = [];
  const valueProblems: SchemaProblem[] = [];
  for (const error of errors) {
    if (skipped.has(error)) continue;
    const path = pathOf(error.instancePath, data);
    if (error.keyword !== 'propertyNames') {
      valueProblems.push(...describe(error, path));
      continue;
    }
    const fixes = nameErrors(error).flatMap((other) => describe(other, []).map((problem) => problem.fix));
    nameProblems.push({
      path: [...path, String(error.params.propertyName)],
      message: 'is not a valid name',
      fix: `rename it: ${fixes.join('; ')}`,
    });
  }
  // A key that is not a valid name is reported once: its value is not checked.
  const problems = [
    ...nameProblems,
    ...valueProblems.filter(({ path }) => !nameProblems.some((name) => name.path.every((key, i) => key === path[i]))),
  ];
  // A $ref and its sibling keywords may both report the same fault (e.g. "must be an object").
  const seen = new Set<string>();
  const unique = problems.filter((problem) => {
    const key = JSON.stringify([problem.path, problem.message]);
    return !seen.has(key) && seen.add(key);
  });
  return unique
    .map((problem) => ({ problem, at: position(problem.path, data) }))
    .sort((a, b) => compareLists(a.at, b.at))
    .map(({ problem }) => problem);
}

/** `/teams/2/handle` → ['teams', 2, 'handle']: indexes of arrays become numbers. */
function pathOf(instancePath: string, data: unknown): JsonPath {
  const path: JsonPath = [];
  let value = data;
  for (const raw of instancePath.split('/').slice(1)) {
    const name = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const key = Array.isArray(value) ? Number(name) : name;
    path.push(key);
    value = (value as Record<string | number, unknown> | null | undefined)?.[key];
  }
  return path;
}

/** Where `path` is in the document, for sorting: a missing property comes first in its object, as on its line. */
function position(path: JsonPath, data: unknown): number[] {
  const out: number[] = [];
  let value = data;
  for (const key of path) {
    const index =
      typeof key === 'number' ? key : typeof value === 'object' && value ? Object.keys(value).indexOf(key) : -1;
    out.push(index);
    if (index < 0) break;
    value = (value as Record<string | number, unknown>)[key];
  }
  return out;
}

function compareLists(a: number[], b: number[]): number {
  for (const [i, x] of a.entries()) {
    const y = b[i];
    if (y === undefined) return 1;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

/** What one ajv error means for the file's author: the message and the fix, in the schema's words. */
function describe(error: ErrorObject, path: JsonPath): SchemaProblem[] {
  const node = (error.parentSchema ?? {}) as SchemaObject;
  const params = error.params as Record<string, unknown>;
  const hint = typeof node.description === 'string' ? ` (${node.description.replace(/\.$/, '')})` : '';
  const got = `(got ${shortJson(error.data)})`;
  switch (error.keyword) {
    case 'type':
      return [{ path, ...typeProblem(node, String(params.type).split(','), got, hint) }];
    case 'enum': {
      const options = (params.allowedValues as unknown[]).map((allowed) => JSON.stringify(allowed)).join(', ');
      return [{ path, message: `must be one of ${options} ${got}`, fix: `use one of ${options}${hint}` }];
    }
    case 'const': {
      const allowed = JSON.stringify(params.allowedValue);
      return [{ path, message: `must be ${allowed} ${got}`, fix: `write ${allowed}${hint}` }];
    }
    case 'minimum':
    case 'maximum':
      return [{ path, message: `must be ${range(node)} ${got}`, fix: `write ${range(node)}${hint}` }];
    case 'minLength':
      return [
        params.limit === 1
          ? { path, message: 'must not be empty', fix: `fill it in${hint}` }
          : { path, message: `is shorter than ${params.limit} characters`, fix: `lengthen it${hint}` },
      ];
    case 'maxLength':
      return [{ path, message: `is longer than ${params.limit} characters`, fix: `shorten it${hint}` }];
    case 'pattern':
      return [
        {
          path,
          message: `is not valid (got ${JSON.stringify(error.data)})`,
          fix: `it must match ${params.pattern}${hint}`,
        },
      ];
    case 'required': {
      const key = String(params.missingProperty);
      const about = (node.properties as Record<string, SchemaObject> | undefined)?.[key]?.description;
      return [{ path: [...path, key], message: 'is missing', fix: `add "${key}"${about ? ` — ${about}` : ''}` }];
    }
    case 'additionalProperties': {
      const known = Object.keys(node.properties ?? {}).filter((name) => name !== '$schema');
      return [
        {
          path: [...path, String(params.additionalProperty)],
          message: 'is not a known field',
          fix: `remove it; known fields: ${known.join(', ') || 'none'}`,
        },
      ];
    }
    case 'minItems': {
      const items = `${params.limit} item${params.limit === 1 ? '' : 's'}`;
      const empty = Array.isArray(error.data) && error.data.length === 0;
      return [{ path, message: `must have at least ${items}`, fix: `add ${empty ? 'one' : 'more'}${hint}` }];
    }
    case 'uniqueItems': {
      // ajv names one pair; every repeat is listed, each at its index.
      const seen = new Set<string>();
      return (error.data as unknown[]).flatMap((item, i) => {
        const key = canonicalJson(item);
        if (seen.has(key))
          return [{ path: [...path, i], message: `repeats ${JSON.stringify(item)}`, fix: 'remove the duplicate' }];
        seen.add(key);
        return [];
      });
    }
    default:
      // A keyword no schema of the workspace uses yet: ajv's own words, and where the rule is.
      return [
        {
          path,
          message: `${error.message ?? `does not satisfy "${error.keyword}"`} ${got}`,
          fix: `follow the schema's "${error.keyword}" rule at ${error.schemaPath}${hint}`,
        },
      ];
  }
}

/** `an integer from 1 to 50`, `a number from 1 to …`, `an integer`. */
function range(node: SchemaObject): string {
  const kind = node.type === 'integer' ? 'an integer' : 'a number';
  if (node.minimum === undefined && node.maximum === undefined) return kind;
  return `${kind} from ${node.minimum ?? '…'} to ${node.maximum ?? '…'}`;
}

function typeProblem(node: SchemaObject, types: string[], got: string, hint: string): { message: string; fix: string } {
  if (types.length === 1) {
    switch (types[0]) {
      case 'object':
        return { message: `must be an object ${got}`, fix: `write a JSON object {…}${hint}` };
      case 'array':
        return { message: `must be an array ${got}`, fix: `write a JSON array […]${hint}` };
      case 'string':
        return { message: `must be a string ${got}`, fix: `write it as a string, in double quotes${hint}` };
      case 'integer':
      case 'number':
        return { message: `must be ${range(node)} ${got}`, fix: `write ${range(node)}, without quotes${hint}` };
      case 'boolean':
        return { message: `must be true or false ${got}`, fix: `write true or false, without quotes${hint}` };
    }
  }
  const names: Record<string, string> = {
    object: 'an object',
    array: 'an array',
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    null: 'null',
  };
  const kinds = types.map((type) => names[type] ?? type).join(' or ');
  return { message: `must be ${kinds} ${got}`, fix: `write ${kinds}${hint}` };
}

/** `(got [1,2])`, shortened: the whole of a large object would bury the message. */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** JSON with sorted keys: values uniqueItems counts as equal give the same text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** A problem in a JSON file: at a line (null: the file as a whole), with the edit that fixes it. */
export interface JsonFileProblem {
  file: string;
  line: number | null;
  message: string;
  fix: string;
}

/** A JSON file's text parsed, or the problem that it is not valid JSON, at the line of the syntax error. */
export async function parseJsonFile(
  text: string,
  file: string,
): Promise<{ value: unknown } | { problem: JsonFileProblem }> {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const { line, message } = await jsonSyntaxError(text, error as Error);
    const fix = 'fix the JSON syntax (a missing comma or quote, or a trailing comma)';
    return { problem: { file, line, message: `is not valid JSON: ${message}`, fix } };
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
