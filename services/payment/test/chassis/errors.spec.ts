// Platform-owned: tests of the chassis error responses. Changes come from templates/service on upgrade, not by hand.
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../src/chassis/errors';
import { buildTestApp, type TestApp } from '../support';

const routes: FastifyPluginAsync = async (app) => {
  app.post(
    '/things',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1 } },
        },
      },
    },
    async () => ({ ok: true }),
  );
  app.get('/boom', async () => {
    throw new Error('database password is hunter2');
  });
  app.get('/conflict', async () => {
    throw new HttpError(409, 'Thing already exists');
  });
  app.get('/upstream', async () => {
    throw new HttpError(502, 'catalog at 10.0.0.7 refused the connection');
  });
};

let service: TestApp;
afterEach(() => service.app.close());

async function request(method: 'GET' | 'POST', url: string, payload?: unknown) {
  service = await buildTestApp({ routes });
  const response = await service.app.inject({
    method,
    url,
    payload: payload as string,
    headers: { 'x-correlation-id': 'err-1' },
  });
  return { status: response.statusCode, body: response.json() as Record<string, unknown>, raw: response.body };
}

describe('error responses', () => {
  it.each([
    ['a missing field', {}, "body must have required property 'name'"],
    ['an empty name', { name: '' }, 'body/name must NOT have fewer than 1 characters'],
    ['an unknown property', { name: 'x', extra: true }, 'body must NOT have additional properties'],
  ])('answer 400 for %s', async (_, payload, message) => {
    expect(await request('POST', '/things', payload)).toMatchObject({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message, correlationId: 'err-1' },
    });
  });

  it('answer 400 for a body that is not JSON', async () => {
    service = await buildTestApp({ routes });
    const response = await service.app.inject({
      method: 'POST',
      url: '/things',
      payload: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      correlationId: response.headers['x-correlation-id'],
    });
  });

  it('answer 404 for an unknown route', async () => {
    expect(await request('GET', '/nowhere?x=1')).toEqual({
      status: 404,
      body: { statusCode: 404, error: 'Not Found', message: 'Route GET /nowhere not found', correlationId: 'err-1' },
      raw: expect.any(String),
    });
  });

  it('answer 500 with a generic message, the stack going to the log only', async () => {
    const { status, body, raw } = await request('GET', '/boom');
    expect(status).toBe(500);
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
      correlationId: 'err-1',
    });
    expect(raw).not.toMatch(/hunter2|at .*\.ts|stack/);

    const [logged] = service.logs.withMessage('request failed');
    expect(logged).toMatchObject({
      level: 'error',
      correlationId: 'err-1',
      err: { message: 'database password is hunter2' },
    });
    expect((logged?.err as { stack: string }).stack).toContain('errors.spec.ts');
  });

  it('pass a 4xx HttpError message through', async () => {
    expect(await request('GET', '/conflict')).toMatchObject({
      status: 409,
      body: { statusCode: 409, error: 'Conflict', message: 'Thing already exists', correlationId: 'err-1' },
    });
  });

  it('hide a 5xx HttpError message', async () => {
    expect(await request('GET', '/upstream')).toMatchObject({
      status: 502,
      body: { statusCode: 502, error: 'Bad Gateway', message: 'Bad Gateway', correlationId: 'err-1' },
    });
  });
});
