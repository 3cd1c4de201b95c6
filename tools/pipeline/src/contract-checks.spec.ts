/**
 * Responses against a contract, as the slow-test checks them: the contract written by the real @fastify/swagger from
 * route schemas like a generated service's (shared schemas by $id), the responses those routes really give (Fastify's
 * inject), and broken ones made by hand. Also OpenAPI 3.0's dialect (nullable, formats, boolean exclusiveMinimum),
 * and a contract that is missing, not OpenAPI 3.0, or holds a schema that cannot be enforced.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractFileError, readServiceContract, ServiceContract, type ResponseExchange } from './contract-checks';
import { ERROR_RESPONSE_SCHEMA, swaggerApp } from './testing/swagger-app';

const FILE = 'services/catalog/contract/openapi.json';
const JSON_TYPE = 'application/json; charset=utf-8';
const ITEM = { id: '6f1c1f6e-2b8a-4c3e-9a57-0d3c1e2f4a5b', name: 'a record', createdAt: '2024-05-01T10:20:30.000Z' };

/** Routes shaped like the service template's, with a shared error schema on every route (as `default`). */
async function catalogApp(): Promise<FastifyInstance> {
  const app = await swaggerApp('catalog');
  app.addSchema(ERROR_RESPONSE_SCHEMA);
  app.addSchema({
    $id: 'Item',
    type: 'object',
    required: ['id', 'name', 'createdAt'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      note: { type: ['string', 'null'] },
    },
  });
  const itemSchema = {
    type: 'object',
    required: ['id', 'name', 'createdAt'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  };
  const error = { $ref: 'ErrorResponse#' };
  // The chassis' error shape (its errors.ts), for Fastify's own 400s too.
  app.setErrorHandler((failure: { statusCode?: number; message: string }, _request, reply) => {
    const statusCode = failure.statusCode ?? 500;
    return reply
      .code(statusCode)
      .send({ statusCode, error: 'Bad Request', message: failure.message, correlationId: 'c-2' });
  });
  app.post(
    '/items',
    {
      schema: {
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
        response: { 201: itemSchema, default: error },
      },
    },
    async (request, reply) => reply.code(201).send({ ...ITEM, name: (request.body as { name: string }).name }),
  );
  app.get(
    '/items/:id',
    {
      schema: {
        params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } } },
        response: { 200: { $ref: 'Item#' }, '4xx': error },
      },
    },
    async (request, reply) =>
      (request.params as { id: string }).id === ITEM.id
        ? ITEM
        : reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'no such item', correlationId: 'c-1' }),
  );
  app.get('/items/latest', { schema: { response: { 200: itemSchema } } }, async () => ITEM);
  app.delete('/items/:id', { schema: { response: { 204: { type: 'null', description: 'Deleted' } } } }, (_r, reply) =>
    reply.code(204).send(),
  );
  app.get(
    '/items/:id/cover',
    { schema: { response: { 200: { content: { 'image/*': { schema: { type: 'string', format: 'binary' } } } } } } },
    (_r, reply) => reply.type('image/png').send(Buffer.from([0x89, 0x50])),
  );
  await app.ready();
  return app;
}

let app: FastifyInstance;
let contract: ServiceContract;

beforeAll(async () => {
  app = await catalogApp();
  contract = new ServiceContract(FILE, JSON.parse(JSON.stringify(app.swagger())), 'sha');
});
afterAll(() => app?.close());

/** What the app really answers, as an exchange. */
async function inject(method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object): Promise<ResponseExchange> {
  const response = await app.inject({ method, url: path, ...(payload ? { payload } : {}) });
  const contentType = response.headers['content-type'];
  return {
    method,
    path,
    status: response.statusCode,
    contentType: contentType ? String(contentType) : null,
    body: response.body,
  };
}

/** A response whose body is `body` as JSON; `raw` gives the body's text as it is. */
const answer = (method: string, path: string, status: number, body: unknown): ResponseExchange =>
  raw(method, path, status, JSON.stringify(body));
const raw = (method: string, path: string, status: number, body: string, contentType = JSON_TYPE) => ({
  method,
  path,
  status,
  contentType,
  body,
});

describe('a contract written by @fastify/swagger, and the answers of its routes', () => {
  it('has the shape the checks read: path templates, responses by status, shared schemas as components', () => {
    const document = app.swagger() as unknown as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
      >;
    };
    expect(Object.keys(document.paths)).toEqual(['/items', '/items/{id}', '/items/latest', '/items/{id}/cover']);
    expect(document.paths['/items/{id}']!['get']!.responses['200']!.content!['application/json']!.schema).toEqual({
      $ref: '#/components/schemas/Item',
    });
    expect(Object.keys(document.paths['/items/{id}']!['get']!.responses)).toEqual(['200', '4XX']);
    expect(contract.listOperations()).toEqual([
      'POST /items',
      'GET /items/{id}',
      'DELETE /items/{id}',
      'GET /items/latest',
      'GET /items/{id}/cover',
    ]);
  });

  it('accepts what the routes really answer: a created item, a $ref’d item, an error by range, no body, an image', async () => {
    const exchanges = [
      await inject('POST', '/items', { name: 'x' }),
      await inject('GET', `/items/${ITEM.id}`),
      await inject('GET', '/items/0b1c1f6e-2b8a-4c3e-9a57-0d3c1e2f4a5b'),
      await inject('POST', '/items', { nope: 1 }), // 400 from Fastify's own body validation, answered as `default`
      await inject('DELETE', `/items/${ITEM.id}`),
      await inject('GET', `/items/${ITEM.id}/cover`),
    ];
    expect(exchanges.map((exchange) => contract.check(exchange))).toEqual([
      { operation: 'POST /items', status: 201, problems: [] },
      { operation: 'GET /items/{id}', status: 200, problems: [] },
      { operation: 'GET /items/{id}', status: 404, problems: [] },
      { operation: 'POST /items', status: 400, problems: [] },
      { operation: 'DELETE /items/{id}', status: 204, problems: [] },
      { operation: 'GET /items/{id}/cover', status: 200, problems: [] },
    ]);
  });

  it('a missing field: its pointer, and what the contract declares there', () => {
    const { createdAt: _, ...item } = ITEM;
    expect(contract.check(answer('POST', '/items', 201, item)).problems).toEqual([
      `POST /items → 201: /createdAt: is missing; the contract (${FILE}#/paths/~1items/post/responses/201/content/application~1json/schema/properties/createdAt) says {"type":"string","format":"date-time"}`,
    ]);
  });

  it('a wrong type, in a schema reached through $ref: the pointer is the component’s', () => {
    expect(contract.check(answer('GET', `/items/${ITEM.id}`, 200, { ...ITEM, name: 5 })).problems).toEqual([
      `GET /items/{id} → 200: /name: must be a string (got 5); the contract (${FILE}#/components/schemas/Item/properties/name) says {"type":"string"}`,
    ]);
  });

  it('formats are enforced (uuid, date-time); nullable admits null and nothing else', () => {
    const broken = { ...ITEM, id: 'not-a-uuid', createdAt: '2024-13-01T10:20:30Z', note: 3 };
    const problems = contract.check(answer('GET', `/items/${ITEM.id}`, 200, broken)).problems;
    expect(problems.map((problem) => problem.split('; the contract')[0])).toEqual([
      'GET /items/{id} → 200: /id: is not valid (got "not-a-uuid")',
      'GET /items/{id} → 200: /createdAt: is not valid (got "2024-13-01T10:20:30Z")',
      'GET /items/{id} → 200: /note: must be a string or null (got 3)',
    ]);
    expect(problems[0]).toContain(
      `(${FILE}#/components/schemas/Item/properties/id) says {"type":"string","format":"uuid"}`,
    );
    expect(contract.check(answer('GET', `/items/${ITEM.id}`, 200, { ...ITEM, note: null })).problems).toEqual([]);
  });

  it('a status the operation does not declare fails, naming the ones it does', () => {
    expect(contract.check(answer('GET', '/items/latest', 404, { message: 'x' })).problems).toEqual([
      `GET /items/latest answered 404, a status the contract does not declare for it (it declares 200). Fix: declare 404 in the route's response schema, run npx nx sync and commit ${FILE}`,
    ]);
  });

  it('an operation the contract does not have fails, listing the ones it has', () => {
    const verdict = contract.check(answer('PUT', '/items/1?dryRun=true', 200, {}));
    expect(verdict).toEqual({
      operation: 'PUT /items/1',
      status: 200,
      problems: [
        `PUT /items/1 is not an operation of the contract (it declares POST /items, GET /items/{id}, DELETE /items/{id}, GET /items/latest, GET /items/{id}/cover). Fix: give the route a schema, run npx nx sync and commit ${FILE}`,
      ],
    });
  });

  it('matches paths to templates: a concrete path before a template, one segment per parameter, no query', () => {
    expect(contract.operationFor('GET', '/items/latest')).toBe('GET /items/latest');
    expect(contract.operationFor('get', '/items/42?x=1')).toBe('GET /items/{id}');
    expect(contract.operationFor('GET', '/items/42/cover')).toBe('GET /items/{id}/cover');
    expect(contract.operationFor('GET', '/items/42/cover/big')).toBeUndefined();
    expect(contract.operationFor('GET', '/items')).toBeUndefined();
    expect(contract.itemOperation('/items')).toEqual({ template: '/items/{id}', parameter: 'id' });
    expect(contract.itemOperation('/tracks')).toBeUndefined();
  });

  it('the content type must be declared; a declared JSON body must be JSON; a body where none is declared fails', () => {
    expect(contract.check(raw('POST', '/items', 201, 'id=1', 'text/plain')).problems).toEqual([
      'POST /items → 201: answered text/plain, a content type the contract does not declare (it declares application/json)',
    ]);
    expect(contract.check({ ...raw('POST', '/items', 201, ''), contentType: null }).problems).toEqual([
      'POST /items → 201: answered without a content-type; the contract declares application/json',
    ]);
    expect(contract.check(raw('POST', '/items', 201, '{"id":')).problems).toEqual([
      'POST /items → 201: the body is not JSON ({"id":), as application/json says it is',
    ]);
    expect(contract.check(answer('DELETE', `/items/${ITEM.id}`, 204, { gone: true })).problems).toEqual([
      `DELETE /items/{id} → 204: answered a body (${JSON_TYPE}), but the contract declares none for 204 (${FILE}#/paths/~1items~1{id}/delete/responses/204)`,
    ]);
  });
});

/** A hand-written OpenAPI 3.0 document with one GET /things operation answering `schema`. */
function contractAnswering(schema: unknown, components: Record<string, unknown> = {}): ServiceContract {
  return new ServiceContract(
    FILE,
    {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      paths: {
        '/things': {
          get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema } } } } },
        },
      },
      components: { schemas: components },
    },
    'sha',
  );
}
const problemsOf = (contract: ServiceContract, body: unknown) =>
  contract.check(answer('GET', '/things', 200, body)).problems.map((problem) => problem.split('; the contract')[0]);

describe("OpenAPI 3.0's schema dialect", () => {
  it('nullable on a $ref, references between components, boolean exclusiveMinimum, int32, annotations', () => {
    const contract = contractAnswering(
      {
        type: 'object',
        required: ['price', 'count'],
        properties: {
          price: { $ref: '#/components/schemas/Price', nullable: true },
          count: { type: 'integer', format: 'int32', example: 3, 'x-internal': true },
          total: { type: 'integer', format: 'int64' },
        },
        example: { price: null, count: 1 },
      },
      {
        Price: {
          type: 'object',
          required: ['amount'],
          properties: { amount: { $ref: '#/components/schemas/Amount' } },
        },
        Amount: { type: 'number', minimum: 0, exclusiveMinimum: true, xml: { name: 'amount' } },
      },
    );
    expect(problemsOf(contract, { price: null, count: 1, total: 2 ** 40 })).toEqual([]);
    expect(problemsOf(contract, { price: { amount: 0.5 }, count: 2147483647 })).toEqual([]);
    expect(problemsOf(contract, { price: { amount: 0 }, count: 2 ** 31 })).toEqual([
      'GET /things → 200: /price: must match a schema in anyOf (got {"amount":0})',
      'GET /things → 200: /price/amount: must be > 0 (got 0)',
      'GET /things → 200: /count: must be a number from -2147483648 to 2147483647 (got 2147483648)',
    ]);
    const deep = contract.check(answer('GET', '/things', 200, { price: { amount: 'x' }, count: 1 })).problems;
    expect(deep.find((problem) => problem.includes(' /price/amount: '))).toContain(
      `/price/amount: must be a number (got "x"); the contract (${FILE}#/components/schemas/Amount) says {"type":"number","minimum":0,"exclusiveMinimum":true`,
    );
  });

  it('a format it does not know, or one without the type it constrains, fails: never silently unchecked', () => {
    expect(problemsOf(contractAnswering({ type: 'string', format: 'ipv6' }), '::1')).toEqual([
      expect.stringMatching(
        /^GET \/things → 200: the contract's schema cannot be enforced: services\/catalog\/contract\/openapi\.json #\/paths\/~1things\/get\/responses\/200\/content\/application~1json\/schema\/format: format "ipv6" is not one the slow-test checks \(uuid, date-time, .*\)\. Fix: .*npx nx sync$/,
      ),
    ]);
    expect(problemsOf(contractAnswering({ format: 'uuid' }), 'x')[0]).toContain(
      `schema/format: format "uuid" constrains only string values, and the schema's "type" does not say string. Fix: add "type": "string"`,
    );
  });

  it("a schema strict ajv will not enforce fails, at the contract's own pointer", () => {
    const contract = contractAnswering({ $ref: '#/components/schemas/Loose' }, { Loose: { properties: { a: {} } } });
    expect(problemsOf(contract, {})).toEqual([
      `GET /things → 200: the contract's schema cannot be enforced: ${FILE} #/components/schemas/Loose/properties: "properties" constrains only object values, and the schema's "type" does not say object. Fix: add "type": "object" beside it, or remove it if the value is never a object.`,
    ]);
    expect(problemsOf(contractAnswering({ $ref: '#/components/schemas/Gone' }), {})[0]).toContain(
      `${FILE} #/components/schemas/Gone: is referenced but not defined`,
    );
    expect(problemsOf(contractAnswering({ $ref: 'other.json#/Thing' }), {})[0]).toContain(
      `#/paths/~1things/get/responses/200/content/application~1json/schema/$ref: "other.json#/Thing" is not a reference to "#/components/schemas/<name>"`,
    );
  });
});

describe('reading the contract file', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'contract-checks-'));
    await mkdir(join(root, 'services', 'catalog', 'contract'), { recursive: true });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('a missing contract is a ContractFileError naming the fix', async () => {
    const error = await readServiceContract(root, 'payment').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ContractFileError);
    expect((error as Error).message).toBe(
      "services/payment/contract/openapi.json does not exist, so the artifact's responses cannot be checked against the service's contract. Fix: run npx nx sync (it writes the contract from the route schemas) and commit services/payment/contract/openapi.json.",
    );
  });

  it('a file that is not JSON, or not OpenAPI 3.0, is refused; a good one is read with its sha256', async () => {
    const write = (text: string) => writeFile(join(root, FILE), text);
    await write('{"openapi": ');
    await expect(readServiceContract(root, 'catalog')).rejects.toThrow(
      /^services\/catalog\/contract\/openapi\.json is not JSON \(.*\)\. Fix: run npx nx sync/,
    );
    await write('{"openapi": "3.1.0", "paths": {}}');
    await expect(readServiceContract(root, 'catalog')).rejects.toThrow(
      'services/catalog/contract/openapi.json is not an OpenAPI 3.0 document (its "openapi" is "3.1.0"). Fix: run npx nx sync',
    );
    const text = '{"openapi": "3.0.3", "paths": {}}\n';
    await write(text);
    const read = await readServiceContract(root, 'catalog');
    expect(read.sha256).toBe(createHash('sha256').update(text).digest('hex'));
    expect(read.listOperations()).toEqual([]);
  });
});
