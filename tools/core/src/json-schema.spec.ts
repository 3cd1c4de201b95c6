import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkSchema,
  formatPath,
  formatProblem,
  jsonSyntaxError,
  lineFinder,
  SchemaError,
  validateSchema,
  type RootSchema,
} from './json-schema';
import { WORKSPACE_ROOT } from './scratch-workspace';

/** `path: message` for each problem, the form the assertions read best in. */
const problems = (value: unknown, schema: RootSchema) =>
  validateSchema(value, schema).map((problem) => `${formatPath(problem.path)}: ${problem.message}`);
const fixes = (value: unknown, schema: RootSchema) => validateSchema(value, schema).map((problem) => problem.fix);
const valid = (value: unknown, schema: RootSchema) => expect(validateSchema(value, schema)).toEqual([]);

/** The repo's schema files: platform/*.schema.json and platform/environments/*.schema.json. */
function repoSchemas(): { file: string; schema: RootSchema }[] {
  return ['platform', 'platform/environments'].flatMap((dir) =>
    readdirSync(join(WORKSPACE_ROOT, dir))
      .filter((name) => name.endsWith('.schema.json'))
      .map((name) => ({
        file: `${dir}/${name}`,
        schema: JSON.parse(readFileSync(join(WORKSPACE_ROOT, dir, name), 'utf8')) as RootSchema,
      })),
  );
}

describe("the repo's schemas", () => {
  it('are platform/teams.schema.json and platform/environments/environment.schema.json, both enforceable', () => {
    const schemas = repoSchemas();
    expect(schemas.map(({ file }) => file)).toEqual([
      'platform/teams.schema.json',
      'platform/environments/environment.schema.json',
    ]);
    for (const { schema } of schemas) expect(() => checkSchema(schema)).not.toThrow();
  });

  it('accept the committed data files', () => {
    const [teams, environment] = repoSchemas().map(({ schema }) => schema);
    valid(JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'platform/teams.json'), 'utf8')), teams!);
    for (const name of ['ci', 'preprod', 'production']) {
      const file = join(WORKSPACE_ROOT, `platform/environments/${name}.json`);
      valid(JSON.parse(readFileSync(file, 'utf8')), environment!);
    }
  });
});

describe('validateSchema, keyword by keyword', () => {
  it('type: object', () => {
    valid({}, { type: 'object' });
    expect(problems([1], { type: 'object' })).toEqual(['(top level): must be an object (got [1])']);
    expect(problems(null, { type: 'object' })).toEqual(['(top level): must be an object (got null)']);
  });

  it('type: array', () => {
    valid([], { type: 'array' });
    expect(problems({ a: 1 }, { type: 'array' })).toEqual(['(top level): must be an array (got {"a":1})']);
  });

  it('type: string', () => {
    valid('x', { type: 'string' });
    expect(problems(3, { type: 'string' })).toEqual(['(top level): must be a string (got 3)']);
    expect(fixes(3, { type: 'string' })).toEqual(['write it as a string, in double quotes']);
  });

  it('type: integer', () => {
    valid(3, { type: 'integer' });
    expect(problems(3.5, { type: 'integer' })).toEqual(['(top level): must be an integer (got 3.5)']);
    expect(problems('3', { type: 'integer' })).toEqual(['(top level): must be an integer (got "3")']);
  });

  it('type: boolean', () => {
    valid(false, { type: 'boolean' });
    expect(problems('true', { type: 'boolean' })).toEqual(['(top level): must be true or false (got "true")']);
    expect(fixes('true', { type: 'boolean' })).toEqual(['write true or false, without quotes']);
  });

  it('type: number, and a list of types', () => {
    valid(0.5, { type: 'number' });
    expect(problems('1', { type: 'number' })).toEqual(['(top level): must be a number (got "1")']);
    valid(null, { type: ['string', 'null'] });
    expect(problems(1, { type: ['string', 'null'] })).toEqual(['(top level): must be a string or null (got 1)']);
  });

  it('enum: reported once, instead of the type rules', () => {
    const schema: RootSchema = { type: 'string', enum: ['none', 'required'] };
    valid('none', schema);
    expect(problems(7, schema)).toEqual(['(top level): must be one of "none", "required" (got 7)']);
    expect(fixes('maybe', schema)).toEqual(['use one of "none", "required"']);
  });

  it('minimum and maximum (with type integer)', () => {
    const schema: RootSchema = { type: 'integer', minimum: 1, maximum: 50 };
    valid(1, schema);
    valid(50, schema);
    expect(problems(0, schema)).toEqual(['(top level): must be an integer from 1 to 50 (got 0)']);
    expect(problems(51, schema)).toEqual(['(top level): must be an integer from 1 to 50 (got 51)']);
    expect(problems(2, { type: 'integer', maximum: 1 })).toEqual([
      '(top level): must be an integer from … to 1 (got 2)',
    ]);
    expect(fixes('two', schema)).toEqual(['write an integer from 1 to 50, without quotes']);
    expect(problems(0.5, { type: 'number', minimum: 1 })).toEqual([
      '(top level): must be a number from 1 to … (got 0.5)',
    ]);
    // Without "type": "number" the bounds would apply to numbers only, silently: strict mode refuses the schema.
    expect(() => validateSchema('0', { minimum: 1 })).toThrow(SchemaError);
  });

  it('minLength', () => {
    valid('a', { type: 'string', minLength: 1 });
    expect(problems('', { type: 'string', minLength: 1 })).toEqual(['(top level): must not be empty']);
    expect(problems('ab', { type: 'string', minLength: 3 })).toEqual(['(top level): is shorter than 3 characters']);
  });

  it('maxLength', () => {
    valid('abc', { type: 'string', maxLength: 3 });
    expect(problems('abcd', { type: 'string', maxLength: 3 })).toEqual(['(top level): is longer than 3 characters']);
  });

  it('pattern: the fix names the pattern and the description', () => {
    const schema: RootSchema = { type: 'string', pattern: '^[a-z]+$', description: 'A lowercase word.' };
    valid('abc', schema);
    expect(problems('aBc', schema)).toEqual(['(top level): is not valid (got "aBc")']);
    expect(fixes('aBc', schema)).toEqual(['it must match ^[a-z]+$ (A lowercase word)']);
  });

  it('string rules are all reported, not just the first', () => {
    const schema: RootSchema = { type: 'string', pattern: '^[a-z]*$', maxLength: 2 };
    expect(problems('ABC', schema)).toEqual([
      '(top level): is longer than 2 characters',
      '(top level): is not valid (got "ABC")',
    ]);
  });

  it('required: the fix names the field and what it is for', () => {
    const schema: RootSchema = {
      type: 'object',
      required: ['id'],
      properties: { id: { type: 'string', description: 'The team id.' } },
    };
    valid({ id: 'a' }, schema);
    expect(problems({}, schema)).toEqual(['id: is missing']);
    expect(fixes({}, schema)).toEqual(['add "id" — The team id.']);
    // An inherited property is not a present one.
    const withConstructor: RootSchema = { type: 'object', required: ['constructor'], properties: { constructor: {} } };
    expect(problems(JSON.parse('{}'), withConstructor)).toEqual(['constructor: is missing']);
  });

  it('properties: each known field is checked against its schema, at its path', () => {
    const schema: RootSchema = { type: 'object', properties: { n: { type: 'integer' }, s: { type: 'string' } } };
    valid({ n: 1, s: 'x' }, schema);
    expect(problems({ n: 'one', s: 2 }, schema)).toEqual([
      'n: must be an integer (got "one")',
      's: must be a string (got 2)',
    ]);
  });

  it('additionalProperties: false closes the object, naming the known fields ($schema aside)', () => {
    const schema: RootSchema = {
      type: 'object',
      additionalProperties: false,
      properties: { $schema: { type: 'string' }, a: { type: 'string' } },
    };
    valid({ $schema: 'x', a: 'y' }, schema);
    expect(problems({ b: 1 }, schema)).toEqual(['b: is not a known field']);
    expect(fixes({ b: 1 }, schema)).toEqual(['remove it; known fields: a']);
    // Without additionalProperties the object is open.
    valid({ b: 1 }, { type: 'object', properties: {} });
  });

  it('additionalProperties: a schema checks every other property (a map)', () => {
    const schema: RootSchema = {
      type: 'object',
      properties: { PORT: { type: 'string', pattern: '^[0-9]+$' } },
      additionalProperties: { type: 'string' },
    };
    valid({ PORT: '80', OTHER: 'x' }, schema);
    expect(problems({ PORT: 'x', OTHER: 1 }, schema)).toEqual([
      'PORT: is not valid (got "x")',
      'OTHER: must be a string (got 1)',
    ]);
  });

  it('propertyNames: a key that fails is reported once, and its value is not checked', () => {
    const schema: RootSchema = {
      type: 'object',
      propertyNames: { pattern: '^[A-Z][A-Z0-9_]*$' },
      additionalProperties: { type: 'string' },
    };
    valid({ LOG_LEVEL: 'info' }, schema);
    expect(problems({ logLevel: 3 }, schema)).toEqual(['logLevel: is not a valid name']);
    expect(fixes({ logLevel: 3 }, schema)).toEqual(['rename it: it must match ^[A-Z][A-Z0-9_]*$']);
  });

  it('items: every element, at its index', () => {
    const schema: RootSchema = { type: 'array', items: { type: 'string' } };
    valid(['a', 'b'], schema);
    expect(problems(['a', 2, 'c', null], schema)).toEqual([
      '[1]: must be a string (got 2)',
      '[3]: must be a string (got null)',
    ]);
  });

  it('minItems', () => {
    valid(['a'], { type: 'array', minItems: 1 });
    expect(problems([], { type: 'array', minItems: 1 })).toEqual(['(top level): must have at least 1 item']);
    expect(problems(['a'], { type: 'array', minItems: 2 })).toEqual(['(top level): must have at least 2 items']);
    expect(fixes(['a'], { type: 'array', minItems: 2 })).toEqual(['add more']);
  });

  it('uniqueItems: each repeat is reported at its index', () => {
    valid(['a', 'b'], { type: 'array', uniqueItems: true });
    expect(problems(['a', 'b', 'a', 'a'], { type: 'array', uniqueItems: true })).toEqual([
      '[2]: repeats "a"',
      '[3]: repeats "a"',
    ]);
    valid(['a', 'a'], { type: 'array', uniqueItems: false });
  });

  it('$ref and $defs: the definition applies together with the sibling keywords, each fault reported once', () => {
    const schema: RootSchema = {
      type: 'object',
      properties: { requests: { type: 'object', $ref: '#/$defs/quantities', required: ['cpu', 'memory'] } },
      $defs: {
        quantities: {
          type: 'object',
          additionalProperties: false,
          properties: { cpu: { type: 'string' }, memory: { type: 'string' } },
        },
      },
    };
    valid({ requests: { cpu: '1', memory: '1Gi' } }, schema);
    // In document order; a missing field first, on its object's line.
    expect(problems({ requests: { cpu: 1, gpu: '1' } }, schema)).toEqual([
      'requests.memory: is missing',
      'requests.cpu: must be a string (got 1)',
      'requests.gpu: is not a known field',
    ]);
    expect(problems({ requests: 'x' }, schema)).toEqual(['requests: must be an object (got "x")']);
  });

  it('$defs at any depth, and a $ref to any place in the schema', () => {
    const schema: RootSchema = {
      type: 'object',
      properties: { a: { $defs: { word: { type: 'string' } }, $ref: '#/properties/a/$defs/word' } },
    };
    valid({ a: 'x' }, schema);
    expect(problems({ a: 1 }, schema)).toEqual(['a: must be a string (got 1)']);
  });

  it('anyOf and oneOf: one explanation, from the first alternative the value is of the type of', () => {
    const schema: RootSchema = { anyOf: [{ type: 'string', pattern: '^#' }, { type: 'integer' }] };
    valid('#a', schema);
    valid(1, schema);
    expect(problems('a', schema)).toEqual(['(top level): is not valid (got "a")']);
    expect(problems(true, schema)).toEqual(['(top level): must match a schema in anyOf (got true)']);
    expect(fixes(true, schema)).toEqual(['follow the schema\'s "anyOf" rule at #/anyOf']);
    expect(problems(true, { oneOf: [{ type: 'string' }, { type: 'integer' }] })).toEqual([
      '(top level): must match exactly one schema in oneOf (got true)',
    ]);
  });

  it('annotations (title, description, $schema, $id) are accepted; description becomes part of the fix', () => {
    const schema: RootSchema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'x.schema.json',
      title: 'X',
      description: 'Pods per service.',
      type: 'integer',
    };
    valid(1, schema);
    expect(fixes('1', schema)).toEqual(['write an integer, without quotes (Pods per service)']);
  });

  it('names nested paths the way a reader finds them', () => {
    const schema: RootSchema = {
      type: 'object',
      properties: { teams: { type: 'array', items: { $ref: '#/$defs/team' } } },
      $defs: { team: { type: 'object', properties: { handle: { type: 'string', pattern: '^@musiccorp/' } } } },
    };
    const [problem] = validateSchema({ teams: [{}, {}, { handle: 'finance' }] }, schema);
    expect(formatProblem(problem!)).toBe(
      'teams[2].handle: is not valid (got "finance"). Fix: it must match ^@musiccorp/.',
    );
  });
});

describe('a schema ajv would not fully enforce is an error, not silently ignored', () => {
  /** The SchemaError's message; by default from validateSchema, what every CLI run refuses. */
  const refused = (schema: unknown, check: (root: RootSchema) => unknown = (root) => validateSchema({}, root)) => {
    try {
      check(schema as RootSchema);
    } catch (error) {
      expect(error).toBeInstanceOf(SchemaError);
      return (error as Error).message;
    }
    throw new Error('the schema was accepted');
  };

  it('an unknown keyword or format, anywhere, with where it is and the fix', () => {
    expect(
      refused({ $id: 'x.schema.json', type: 'object', properties: { mail: { type: 'string', format: 'email' } } }),
    ).toBe(
      'x.schema.json #/properties/mail/format: format "email" is not enforced (no formats are loaded), so its rule would be silently ignored. Fix: remove it, or write the rule as a "pattern".',
    );
    expect(refused({ oneof: [] })).toBe(
      'the schema #/oneof: "oneof" is not a JSON Schema 2020-12 keyword, so its rule would be silently ignored. Fix: remove it, or correct its spelling.',
    );
    expect(refused({ $ref: '#/$defs/a', $defs: { a: { type: 'array', items: { constant: 1 } } } })).toMatch(
      /^the schema #\/\$defs\/a\/items\/constant: "constant" is not a JSON Schema 2020-12 keyword/,
    );
    // A property named like the unknown keyword is a name, not where the keyword is.
    expect(
      refused({ type: 'object', properties: { constant: { type: 'string' } }, additionalProperties: { constant: 1 } }),
    ).toMatch(/^the schema #\/additionalProperties\/constant: "constant"/);
  });

  it('a keyword without the type it applies to (it would be skipped for every other type)', () => {
    expect(refused({ type: 'string', minimum: 1 })).toBe(
      'the schema #/minimum: "minimum" constrains only number values, and the schema\'s "type" does not say number. Fix: add "type": "number" beside it, or remove it if the value is never a number.',
    );
    expect(refused({ type: 'object', properties: { a: { pattern: '^a' } } })).toMatch(
      /^the schema #\/properties\/a\/pattern: "pattern" constrains only string values/,
    );
  });

  it('an unknown type, or a $schema other than draft 2020-12', () => {
    expect(refused({ type: 'strin' })).toMatch(/^the schema #: type must be JSONType or JSONType\[\]: strin\. Fix/);
    expect(refused({ type: 'strin' }, checkSchema)).toBe(
      'the schema #/type: must be one of "array", "boolean", "integer", "null", "number", "object", "string" (got "strin"). Fix: use one of "array", "boolean", "integer", "null", "number", "object", "string".',
    );
    expect(refused({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'string' })).toMatch(
      /^the schema #\/\$schema: "http:\/\/json-schema.org\/draft-07\/schema#" is not draft 2020-12, .* Fix: write "https:\/\/json-schema\.org\/draft\/2020-12\/schema"/,
    );
  });

  it('a $ref that is not to $defs, or to a missing definition', () => {
    expect(refused({ $ref: 'other.json#/a' })).toMatch(
      /#\/\$ref: "other.json#\/a" is not a "#\/\$defs\/<name>" reference/,
    );
    expect(refused({ $ref: '#/$defs/team' })).toMatch(/#\/\$ref: #\/\$defs\/team does not exist\. Fix: add "team"/);
  });

  it('a pattern that does not compile, a required property that is not declared', () => {
    expect(refused({ type: 'string', pattern: '([a-z]' })).toMatch(/#\/pattern: does not compile/);
    expect(refused({ type: 'object', required: ['id'] })).toMatch(
      /#\/required: "id" is required but not declared under "properties"\. Fix: declare "id"/,
    );
  });

  it('checkSchema: also a keyword value the draft 2020-12 meta-schema refuses', () => {
    expect(refused({ minItems: -1 }, checkSchema)).toMatch(/#\/minItems: must be an integer from 0 to … \(got -1\)/);
    expect(refused({ required: 'id' }, checkSchema)).toMatch(/#\/required: must be an array \(got "id"\)/);
    expect(refused({ oneOf: [] }, checkSchema)).toMatch(/#\/oneOf: must have at least 1 item/);
    // The CLIs leave the meta-schema to the specs, which run checkSchema on each schema of the repo.
    expect(validateSchema([], { type: 'array', minItems: -1 })).toEqual([]);
  });
});

describe('formatPath', () => {
  it('writes indexes in brackets, plain names with dots, other keys quoted', () => {
    expect(formatPath([])).toBe('(top level)');
    expect(formatPath(['teams', 2, 'handle'])).toBe('teams[2].handle');
    expect(formatPath(['services', 'order-processor', 'env', 'LOG_LEVEL'])).toBe(
      'services.order-processor.env.LOG_LEVEL',
    );
    expect(formatPath(['env', 'A B'])).toBe('env["A B"]');
    expect(formatPath([0, 'a'])).toBe('[0].a');
  });
});

describe('lineFinder and jsonSyntaxError', () => {
  it("finds the line of a value, or of its nearest existing parent's", async () => {
    const text = '{\n  "teams": [\n    {\n      "id": "a"\n    }\n  ]\n}\n';
    const lineOf = await lineFinder(text);
    expect(lineOf(['teams', 0, 'id'])).toBe(4);
    expect(lineOf(['teams', 0, 'missing'])).toBe(3);
    expect(lineOf([])).toBe(1);
  });

  it('gives the line of a syntax error', async () => {
    const text = '{\n  "a": 1,,\n}\n';
    let error: Error | undefined;
    try {
      JSON.parse(text);
    } catch (thrown) {
      error = thrown as Error;
    }
    expect(await jsonSyntaxError(text, error!)).toMatchObject({ line: 2 });
  });
});
