/**
 * The subset of JSON Schema that teams.schema.json uses (type, required, properties, additionalProperties: false,
 * items, $ref to $defs, minItems, uniqueItems, minLength, pattern), interpreted so the schema file stays the one
 * source of the field rules without a schema library; plus line numbers for JSON values and syntax errors, from
 * jsonc-eslint-parser (loaded only when there is a problem to report).
 */

export type JsonPath = (string | number)[];

export interface SchemaNode {
  type?: 'object' | 'array' | 'string';
  required?: string[];
  additionalProperties?: boolean;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  $ref?: string;
  minItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  pattern?: string;
  description?: string;
}

/** The keywords validateSchema interprets; anything else in a schema would be silently ignored (a test guards this). */
export const SUPPORTED_KEYWORDS = new Set([
  ...['type', 'required', 'additionalProperties', 'properties', 'items', '$ref', 'minItems', 'uniqueItems'],
  ...['minLength', 'pattern', 'description', 'title', '$schema', '$id', '$defs'],
]);

export type RootSchema = SchemaNode & { $defs?: Record<string, SchemaNode> };

export interface SchemaProblem {
  path: JsonPath;
  message: string;
  fix: string;
}

export function validateSchema(value: unknown, root: RootSchema): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  validateNode(value, root, root, [], out);
  return out;
}

/** Checks `value` against the schema subset used by teams.schema.json. */
function validateNode(value: unknown, node: SchemaNode, root: RootSchema, path: JsonPath, out: SchemaProblem[]): void {
  if (node.$ref) {
    const name = node.$ref.replace('#/$defs/', '');
    const target = root.$defs?.[name];
    if (!target) throw new Error(`The schema has no $defs/${name}.`);
    validateNode(value, target, root, path, out);
    return;
  }
  const hint = node.description ? ` (${node.description})` : '';
  switch (node.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        out.push({ path, message: 'must be an object', fix: `write a JSON object {…}${hint}` });
        return;
      }
      const record = value as Record<string, unknown>;
      for (const key of node.required ?? []) {
        if (!(key in record))
          out.push({
            path: [...path, key],
            message: 'is missing',
            fix: `add "${key}"${node.properties?.[key]?.description ? ` — ${node.properties[key].description}` : ''}`,
          });
      }
      for (const [key, child] of Object.entries(record)) {
        const childSchema = node.properties?.[key];
        if (childSchema) validateNode(child, childSchema, root, [...path, key], out);
        else if (node.additionalProperties === false) {
          out.push({
            path: [...path, key],
            message: 'is not a known field',
            fix: `remove it; known fields: ${Object.keys(node.properties ?? {}).join(', ')}`,
          });
        }
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) {
        out.push({ path, message: 'must be an array', fix: `write a JSON array […]${hint}` });
        return;
      }
      if (node.minItems !== undefined && value.length < node.minItems) {
        out.push({
          path,
          message: `must have at least ${node.minItems} item${node.minItems > 1 ? 's' : ''}`,
          fix: `add one${hint}`,
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
      if (node.items) value.forEach((item, i) => validateNode(item, node.items!, root, [...path, i], out));
      return;
    }
    case 'string': {
      if (typeof value !== 'string') {
        out.push({ path, message: `must be a string (got ${JSON.stringify(value)})`, fix: `write a string${hint}` });
        return;
      }
      if (node.minLength !== undefined && value.length < node.minLength) {
        out.push({ path, message: 'must not be empty', fix: `fill it in${hint}` });
      }
      if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) {
        out.push({
          path,
          message: `is not valid (got ${JSON.stringify(value)})`,
          fix: `it must match ${node.pattern}${hint}`,
        });
      }
      return;
    }
  }
}

/** A JSON syntax error with its line: V8's message does not always give a position, jsonc-eslint-parser's does. */
export async function jsonSyntaxError(text: string, error: Error): Promise<{ line: number | null; message: string }> {
  let line: number | null = null;
  let message = error.message.split('\n')[0]!;
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
