// Platform-owned: tests of the chassis correlation ids. Changes come from templates/service on upgrade, not by hand.
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_CORRELATION_ID_LENGTH, inboundContext } from '../../src/chassis/correlation';
import { buildTestApp, type TestApp } from '../support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const routes: FastifyPluginAsync = async (app) => {
  app.get('/ok', async () => ({ ok: true }));
  app.get('/fail', async () => {
    throw new Error('boom');
  });
  app.get(
    '/typed/:n',
    { schema: { params: { type: 'object', properties: { n: { type: 'integer' } } } } },
    async () => ({}),
  );
};

let service: TestApp;
afterEach(() => service.app.close());

async function get(url: string, headers: Record<string, string> = {}) {
  service = await buildTestApp({ routes });
  return service.app.inject({ method: 'GET', url, headers });
}

describe('inbound x-correlation-id', () => {
  it('is kept when well-formed, echoed, and on the request line', async () => {
    const id = 'Order-42_retry.1:abc';
    const response = await get('/ok', { 'x-correlation-id': id });
    expect(response.headers['x-correlation-id']).toBe(id);
    expect(service.logs.requestLines()[0]?.correlationId).toBe(id);
    expect(service.logs.withMessage('rejected inbound x-correlation-id; generated a new one')).toEqual([]);
  });

  it(`is kept at exactly ${MAX_CORRELATION_ID_LENGTH} characters`, async () => {
    const id = 'a'.repeat(MAX_CORRELATION_ID_LENGTH);
    expect((await get('/ok', { 'x-correlation-id': id })).headers['x-correlation-id']).toBe(id);
  });

  it('is generated when absent', async () => {
    const response = await get('/ok');
    expect(response.headers['x-correlation-id']).toMatch(UUID);
  });

  it.each([
    ['bad charset', 'drop table;<script>', 'invalid_characters'],
    ['spaces', 'has space', 'invalid_characters'],
    ['too long', 'a'.repeat(MAX_CORRELATION_ID_LENGTH + 1), 'too_long'],
  ])('is replaced when malformed (%s), with a warning that does not echo it', async (_, hostile, reason) => {
    const response = await get('/ok', { 'x-correlation-id': hostile });
    const generated = response.headers['x-correlation-id'];
    expect(generated).toMatch(UUID);
    const [warning] = service.logs.withMessage('rejected inbound x-correlation-id; generated a new one');
    expect(warning).toMatchObject({
      level: 'warn',
      correlationId: generated,
      rejectedCorrelationId: { reason, length: hostile.length },
    });
    expect(service.logs.raw.join('\n')).not.toContain(hostile);
  });

  it.each([
    ['success', '/ok', 200],
    ['validation error', '/typed/not-a-number', 400],
    ['unknown route', '/missing', 404],
    ['thrown error', '/fail', 500],
  ])('is echoed on %s', async (_, url, status) => {
    const response = await get(url, { 'x-correlation-id': 'echo-me' });
    expect(response.statusCode).toBe(status);
    expect(response.headers['x-correlation-id']).toBe('echo-me');
    if (status !== 200) expect(response.json()).toMatchObject({ correlationId: 'echo-me' });
  });
});

describe('inbound traceparent', () => {
  it('continues a valid trace', async () => {
    await get('/ok', { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` });
    expect(service.logs.requestLines()[0]?.traceId).toBe(TRACE_ID);
  });

  it.each([
    ['all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE_ID.toUpperCase()}-00f067aa0ba902b7-01`],
    ['forbidden version ff', `ff-${TRACE_ID}-00f067aa0ba902b7-01`],
    ['version 00 with extra fields', `00-${TRACE_ID}-00f067aa0ba902b7-01-extra`],
    ['garbage', 'not a traceparent'],
  ])('starts a new trace on %s', (_, traceparent) => {
    const { context } = inboundContext(undefined, traceparent);
    expect(context.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(context.traceId).not.toBe(TRACE_ID);
  });

  it('accepts a future version with extra fields', () => {
    expect(inboundContext(undefined, `01-${TRACE_ID}-00f067aa0ba902b7-01-extra`).context.traceId).toBe(TRACE_ID);
  });
});
