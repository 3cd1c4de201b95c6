/**
 * The subset of JSON Schema that environment.schema.json uses, interpreted so the schema file stays the one source of
 * the field rules without a schema library. owners/json-schema.ts covers teams.schema.json only (strings, arrays,
 * closed objects); environments also need integers with bounds, enums and maps (`additionalProperties` as a schema,
 * `propertyNames`), so this is a separate, equally small interpreter. Line numbers come from owners' lineFinder.
 */
import type { JsonPath } from '../owners/json-schema';

export interface SchemaNode {
  type?: 'object' | 'string' | 'integer' | 'boolean';
  required?: string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: SchemaNode;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  pattern?: string;
  /** Applied in addition to the sibling keywords (draft 2020-12 semantics). */
  $ref?: string;
  description?: string;
}

export type RootSchema = SchemaNode & { $defs?: Record<string, SchemaNode> };

/** Anything else in the schema would be silently ignored; a test walks the schema file against this list. */
export const SUPPORTED_KEYWORDS = new Set([
  ...['type', 'required', 'properties', 'additionalProperties', 'propertyNames', 'enum', 'minimum', 'maximum'],
  ...['maxLength', 'pattern', '$ref', 'description', 'title', '$schema', '$id', '$defs'],
]);

export interface SchemaProblem {
  path: JsonPath;
  message: string;
  fix: string;
}

export function validateSchema(value: unknown, root: RootSchema): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  check(value, root, root, [], out);
  // A $ref and its sibling keywords may both report the same fault (e.g. "must be an object").
  const seen = new Set<string>();
  return out.filter((problem) => {
    const key = JSON.stringify([problem.path, problem.message]);
    return !seen.has(key) && seen.add(key);
  });
}

function check(value: unknown, node: SchemaNode, root: RootSchema, path: JsonPath, out: SchemaProblem[]): void {
  if (node.$ref) {
    const target = root.$defs?.[node.$ref.replace('#/$defs/', '')];
    if (!target) throw new Error(`environment.schema.json has no ${node.$ref}.`);
    check(value, target, root, path, out);
  }
  const hint = node.description ? ` (${node.description.replace(/\.$/, '')})` : '';
  const got = JSON.stringify(value);

  if (node.enum && !node.enum.some((allowed) => allowed === value)) {
    const options = node.enum.map((allowed) => JSON.stringify(allowed)).join(', ');
    out.push({ path, message: `must be one of ${options} (got ${got})`, fix: `use one of ${options}${hint}` });
    return;
  }
  switch (node.type) {
    case 'object':
      return checkObject(value, node, root, path, out, hint);
    case 'string':
      if (typeof value !== 'string') {
        out.push({ path, message: `must be a string (got ${got})`, fix: `write it in double quotes${hint}` });
      } else if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) {
        out.push({ path, message: `is not valid (got ${got})`, fix: `it must match ${node.pattern}${hint}` });
      } else if (node.maxLength !== undefined && value.length > node.maxLength) {
        out.push({ path, message: `is longer than ${node.maxLength} characters`, fix: `shorten it${hint}` });
      }
      return;
    case 'integer': {
      const { minimum = -Infinity, maximum = Infinity } = node;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum || value > maximum) {
        const range = `an integer from ${node.minimum ?? '…'} to ${node.maximum ?? '…'}`;
        out.push({ path, message: `must be ${range} (got ${got})`, fix: `write ${range}, without quotes${hint}` });
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') out.push({ path, message: `must be true or false (got ${got})`, fix: hint });
      return;
  }
}

function checkObject(
  value: unknown,
  node: SchemaNode,
  root: RootSchema,
  path: JsonPath,
  out: SchemaProblem[],
  hint: string,
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push({
      path,
      message: `must be an object (got ${JSON.stringify(value)})`,
      fix: `write a JSON object {…}${hint}`,
    });
    return;
  }
  const record = value as Record<string, unknown>;
  for (const key of node.required ?? []) {
    if (!(key in record)) {
      const about = node.properties?.[key]?.description;
      out.push({ path: [...path, key], message: 'is missing', fix: `add "${key}"${about ? ` — ${about}` : ''}` });
    }
  }
  for (const [key, child] of Object.entries(record)) {
    const pattern = node.propertyNames?.pattern;
    if (pattern !== undefined && !new RegExp(pattern).test(key)) {
      out.push({ path: [...path, key], message: 'is not a valid name', fix: `rename it to match ${pattern}` });
      continue;
    }
    const childSchema = node.properties?.[key];
    if (childSchema) check(child, childSchema, root, [...path, key], out);
    else if (node.additionalProperties === false) {
      const known = Object.keys(node.properties ?? {}).filter((name) => name !== '$schema');
      out.push({
        path: [...path, key],
        message: 'is not a known field',
        fix: `remove it; known fields: ${known.join(', ')}`,
      });
    } else if (typeof node.additionalProperties === 'object') {
      check(child, node.additionalProperties, root, [...path, key], out);
    }
  }
}
