import Fastify, { type FastifySchema } from 'fastify';
import swagger from '@fastify/swagger';
import { describe, expect, it } from 'vitest';
import { httpContract, operation, response, type JsonDocument, editedCopy, type JsonPath } from './case-table';
import { diffHttpContracts } from './openapi';
import { InvalidContractError } from './types';

const valid = (): JsonDocument =>
  httpContract({
    '/albums/{sku}': {
      get: operation({ parameters: [{ name: 'sku', in: 'path', required: true, schema: { type: 'string' } }] }),
    },
  });

type Path = JsonPath;

/** A copy of `valid()` with the value at each path replaced (`undefined`: deleted). */
const broken = (...edits: [Path, unknown][]): JsonDocument => editedCopy(valid(), ...edits);

const ALBUM_GET: Path = ['paths', '/albums/{sku}', 'get'];
const ALBUM_SCHEMA: Path = [...ALBUM_GET, 'responses', '200', 'content', 'application/json', 'schema'];

function thrown(base: unknown, head: unknown): InvalidContractError {
  try {
    diffHttpContracts(base, head);
  } catch (error) {
    if (error instanceof InvalidContractError) return error;
    throw error;
  }
  throw new Error('diffHttpContracts accepted the documents');
}

describe('diffHttpContracts refuses documents it cannot compare', () => {
  it.each([
    [
      'null',
      null,
      '',
      'base OpenAPI contract, at (document root): the document is null, not a JSON object. Fix: pass the parsed contents of services/<name>/contract/openapi.json.',
    ],
    ['an array', [], '', 'the document is an array, not a JSON object'],
    [
      'OpenAPI 3.1',
      broken([['openapi'], '3.1.0']),
      '/openapi',
      'base OpenAPI contract, at /openapi: "openapi" is "3.1.0", but this engine compares OpenAPI 3.0 documents. Fix: generate the contract with @fastify/swagger\'s `openapi: { openapi: "3.0.3" }` option.',
    ],
    ['Swagger 2 (no openapi field)', broken([['openapi'], undefined]), '/openapi', '"openapi" is missing'],
    ['no info', broken([['info'], undefined]), '/info', '"info" is missing or not an object'],
    ['no info.version', broken([['info', 'version'], undefined]), '/info/version', 'info.version is missing'],
    [
      'info.version not semver',
      broken([['info', 'version'], '1.0']),
      '/info/version',
      'base OpenAPI contract, at /info/version: info.version "1.0" is not semver x.y.z. Fix: set it to three plain numbers, e.g. "1.0.0" (raise the first for a breaking change).',
    ],
    ['no paths', broken([['paths'], undefined]), '/paths', '"paths" is missing or not an object'],
    [
      'a dangling $ref',
      broken([
        ALBUM_SCHEMA,
        {
          $ref: '#/components/schemas/Album',
        },
      ]),
      '/paths/~1albums~1{sku}/get/responses/200/content/application~1json/schema/$ref',
      '$ref "#/components/schemas/Album" points at nothing. Fix: define /components/schemas/Album in the document, or correct the reference',
    ],
    [
      'an external $ref',
      broken([
        ALBUM_SCHEMA,
        {
          $ref: 'album.json#/Album',
        },
      ]),
      '/paths/~1albums~1{sku}/get/responses/200/content/application~1json/schema/$ref',
      '$ref "album.json#/Album" is not a local reference',
    ],
    [
      'a circular $ref chain',
      broken([
        ['components'],
        { schemas: { A: { $ref: '#/components/schemas/B' }, B: { $ref: '#/components/schemas/A' } } },
      ]),
      '/components/schemas/A/$ref',
      '$ref chain #/components/schemas/B → #/components/schemas/A → #/components/schemas/B is circular',
    ],
    [
      'a path without a leading slash',
      broken([['paths'], { albums: { get: operation() } }]),
      '/paths/albums',
      'path "albums" does not start with "/"',
    ],
    [
      'two paths that differ only in parameter names',
      broken([
        ['paths', '/albums/{id}'],
        { get: operation({ parameters: [{ name: 'id', in: 'path', required: true }] }) },
      ]),
      '/paths/~1albums~1{id}',
      'paths "/albums/{sku}" and "/albums/{id}" differ only in parameter names',
    ],
    [
      'a path parameter the template lacks',
      broken([[...ALBUM_GET, 'parameters', 0, 'name'], 'id']),
      '/paths/~1albums~1{sku}/get/parameters/0',
      "path parameter id is not in the path template /albums/{sku}. Fix: name it after one of the template's parameters (sku), or drop it",
    ],
    [
      'a Swagger 2 body parameter',
      broken([[...ALBUM_GET, 'parameters', 1], { name: 'body', in: 'body' }]),
      '/paths/~1albums~1{sku}/get/parameters/1/in',
      'parameter body has "in": "body". Fix: use one of path, query, header, cookie',
    ],
    [
      'an operation without responses',
      broken([[...ALBUM_GET, 'responses'], undefined]),
      '/paths/~1albums~1{sku}/get/responses',
      'the operation has no "responses" object',
    ],
    [
      'a status that is not one',
      broken([[...ALBUM_GET, 'responses'], { ok: response() }]),
      '/paths/~1albums~1{sku}/get/responses/ok',
      '"ok" is not a status code',
    ],
  ])('%s', (_name, document, pointer, message) => {
    const error = thrown(document, valid());
    expect(error.message).toContain(message);
    expect(error.pointer).toBe(pointer);
    expect(error.document).toBe('base');
  });

  it('names the head when the head is the invalid one', () => {
    const error = thrown(valid(), broken([['info', 'version'], 'next']));
    expect(error.message).toMatch(/^head OpenAPI contract, at \/info\/version: /);
    expect(error.document).toBe('head');
  });

  it('refuses a schema that is not a schema object, naming where it is', () => {
    const head = broken([ALBUM_SCHEMA, 'string']);
    expect(thrown(valid(), head).message).toContain(
      'the schema at GET /albums/{sku} → 200 application/json is "string", not a JSON Schema object',
    );
  });
});

describe('diffHttpContracts locations and messages', () => {
  const withPrice = (type: string, more: Record<string, unknown> = {}) =>
    httpContract(
      {
        '/albums/{sku}': {
          get: operation({
            parameters: [{ name: 'sku', in: 'path', required: true, schema: { type: 'string' } }],
            responses: { '200': response({ $ref: '#/components/schemas/Album' }) },
          }),
        },
      },
      { Album: { type: 'object', properties: { price: { type } }, ...more } },
    );

  it('say where (operation → status, media type, property) and why', () => {
    expect(diffHttpContracts(withPrice('integer'), withPrice('number'))).toEqual([
      {
        rule: 'response-type-widened',
        verdict: 'breaking',
        location: 'GET /albums/{sku} → 200 application/json .price',
        message: 'type integer → number — consumers may not handle values of the new type',
      },
    ]);
  });

  it('report JSON Schema keywords OpenAPI 3.0 lacks, as the route schemas may use them, as unclassified', () => {
    const conditional = (then: Record<string, unknown>) =>
      withPrice('number', { if: { properties: { price: { minimum: 100 } } }, then });
    expect(diffHttpContracts(conditional({ required: ['price'] }), conditional({}))).toEqual([
      expect.objectContaining({
        rule: 'unclassified-schema-change',
        verdict: 'breaking',
        location: 'GET /albums/{sku} → 200 application/json',
        message: expect.stringMatching(/^`then` changed — it could not be proven compatible/),
      }),
    ]);
  });

  it('follow escaped JSON pointers and stop at mutually recursive schemas', () => {
    const tree = (leaf: Record<string, unknown>) =>
      httpContract(
        { '/nodes': { get: operation({ responses: { '200': response({ $ref: '#/components/schemas/a~1node' }) } }) } },
        {
          'a/node': { type: 'object', properties: { leaf, next: { $ref: '#/components/schemas/other' } } },
          other: { type: 'object', properties: { back: { $ref: '#/components/schemas/a~1node' } } },
        },
      );
    expect(diffHttpContracts(tree({ type: 'string' }), tree({ type: 'number' }))).toEqual([
      expect.objectContaining({ rule: 'response-type-changed', location: 'GET /nodes → 200 application/json .leaf' }),
    ]);
  });
});

/** Contracts as @fastify/swagger writes them from route schemas (the generator's path), compared end to end. */
async function generated(routes: { schema: FastifySchema; url: string; method: 'GET' | 'POST' }[]) {
  const app = Fastify();
  await app.register(swagger, { openapi: { openapi: '3.0.3', info: { title: 'catalog', version: '1.0.0' } } });
  app.addSchema({
    $id: 'Album',
    type: 'object',
    required: ['sku', 'title'],
    properties: { sku: { type: 'string' }, title: { type: 'string' }, price: { type: 'number' } },
  });
  for (const route of routes) app.route({ ...route, handler: async () => ({}) });
  await app.ready();
  const document = app.swagger() as unknown as JsonDocument;
  await app.close();
  return document;
}

describe('diffHttpContracts on @fastify/swagger output', () => {
  it('classifies route schema edits through $id components and nullable', async () => {
    const base = await generated([
      {
        method: 'GET',
        url: '/albums/:sku',
        schema: {
          params: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' } } },
          response: { 200: { $ref: 'Album#' } },
        },
      },
      {
        method: 'POST',
        url: '/albums',
        schema: {
          body: { type: 'object', required: ['title'], properties: { title: { type: 'string' } } },
          response: { 201: { $ref: 'Album#' } },
        },
      },
    ]);
    const head = await generated([
      {
        method: 'GET',
        url: '/albums/:id',
        schema: {
          params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          querystring: {
            type: 'object',
            properties: { currency: { type: 'string', default: 'EUR' } },
            required: ['currency'],
          },
          response: { 200: { $ref: 'Album#' } },
        },
      },
      {
        method: 'POST',
        url: '/albums',
        schema: {
          body: {
            type: 'object',
            required: ['title', 'price'],
            properties: { title: { type: 'string' }, price: { anyOf: [{ type: 'number' }, { type: 'null' }] } },
          },
          response: { 201: { $ref: 'Album#' }, 409: { type: 'object', properties: { message: { type: 'string' } } } },
        },
      },
    ]);
    expect(diffHttpContracts(base, head).map(({ rule, location }) => ({ rule, location }))).toEqual([
      { rule: 'path-parameter-renamed', location: '/albums/{id}' },
      { rule: 'parameter-required-added-with-default', location: 'GET /albums/{id} → query currency' },
      { rule: 'request-property-required-added', location: 'POST /albums → request application/json .price' },
      { rule: 'error-status-added', location: 'POST /albums → 409' },
    ]);
  });
});
