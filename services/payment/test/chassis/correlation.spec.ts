// Platform-owned: tests of the chassis correlation ids. Changes come from templates/service on upgrade, not by hand.
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAX_CORRELATION_ID_LENGTH,
  MAX_TRACESTATE_LENGTH,
  MAX_TRACESTATE_MEMBERS,
  currentContext,
  inboundContext,
} from '../../src/chassis/correlation';
import { buildTestApp, type TestApp } from '../support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

const routes: FastifyPluginAsync = async (app) => {
  app.get('/ok', async () => ({ ok: true }));
  app.get('/context', async () => currentContext());
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

  it("gives each request a span of its own, the caller's parent-id as its parent", async () => {
    service = await buildTestApp({ routes });
    const traceparent = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
    const [first, second] = await Promise.all(
      [1, 2].map(async () => (await service.app.inject({ url: '/context', headers: { traceparent } })).json()),
    );
    expect(first).toMatchObject({ spanId: expect.stringMatching(/^[0-9a-f]{16}$/), parentSpanId: '00f067aa0ba902b7' });
    expect(second.spanId).not.toBe(first.spanId);
    expect(service.logs.requestLines().map((line) => line.parentSpanId)).toEqual([
      '00f067aa0ba902b7',
      '00f067aa0ba902b7',
    ]);
  });

  it.each([
    ['no traceparent', undefined],
    ['an invalid one', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
  ])('starts with a root span (no parent) on %s', (_, traceparent) => {
    const { context } = inboundContext(undefined, traceparent);
    expect(context.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(context).not.toHaveProperty('parentSpanId');
  });

  it('accepts a future version with extra fields', () => {
    expect(inboundContext(undefined, `01-${TRACE_ID}-00f067aa0ba902b7-01-extra`).context.traceId).toBe(TRACE_ID);
  });
});

/**
 * W3C Trace Context Level 1 (https://www.w3.org/TR/trace-context/), rule by rule: each row is a header the spec
 * (or the W3C test suite, test/test.py) names valid or invalid, and what a vendor must do with it.
 */
describe('W3C traceparent, by the spec', () => {
  const PARENT_ID = '00f067aa0ba902b7';

  it.each([
    ['sampled', `00-${TRACE_ID}-${PARENT_ID}-01`, true],
    ['not sampled', `00-${TRACE_ID}-${PARENT_ID}-00`, false],
    ['sampled among unknown flags (a bit field: masked, not compared)', `00-${TRACE_ID}-${PARENT_ID}-09`, true],
    ['unknown flags only', `00-${TRACE_ID}-${PARENT_ID}-fe`, false],
    ['leading and trailing optional whitespace', `\t 00-${TRACE_ID}-${PARENT_ID}-01 \t`, true],
    ['a future version', `cc-${TRACE_ID}-${PARENT_ID}-01`, true],
    ['a future version with more fields', `cc-${TRACE_ID}-${PARENT_ID}-01-what-the-future-will-be-like`, true],
    ['a future version, its flags followed by a dash', `01-${TRACE_ID}-${PARENT_ID}-00-`, false],
  ])('continues the trace of a valid one: %s', (_, traceparent, sampled) => {
    expect(inboundContext(undefined, traceparent).context).toMatchObject({ traceId: TRACE_ID, sampled });
  });

  it.each([
    ['version ff (forbidden)', `ff-${TRACE_ID}-${PARENT_ID}-01`],
    ['a version that is not hex', `.0-${TRACE_ID}-${PARENT_ID}-01`],
    ['an upper-case version', `0A-${TRACE_ID}-${PARENT_ID}-01`],
    ['a version of 3 digits', `000-${TRACE_ID}-${PARENT_ID}-01`],
    ['a version of 1 digit', `0-${TRACE_ID}-${PARENT_ID}-01`],
    ['a trace id that is not hex', `00-.${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ['a trace id of 33 digits', `00-${TRACE_ID}3-${PARENT_ID}-01`],
    ['a trace id of 31 digits', `00-${TRACE_ID.slice(1)}-${PARENT_ID}-01`],
    ['a parent id that is not hex', `00-${TRACE_ID}-${PARENT_ID.slice(0, 15)}.-01`],
    ['a parent id of 17 digits', `00-${TRACE_ID}-${PARENT_ID}7-01`],
    ['a parent id of 15 digits', `00-${TRACE_ID}-${PARENT_ID.slice(1)}-01`],
    ['upper-case flags', `00-${TRACE_ID}-${PARENT_ID}-0A`],
    ['flags that are not hex', `00-${TRACE_ID}-${PARENT_ID}-.0`],
    ['flags of 3 digits', `00-${TRACE_ID}-${PARENT_ID}-001`],
    ['flags of 1 digit', `00-${TRACE_ID}-${PARENT_ID}-1`],
    ['version 00 followed by anything', `00-${TRACE_ID}-${PARENT_ID}-01.`],
    ['version 00 with a fifth field', `00-${TRACE_ID}-${PARENT_ID}-01-what-the-future-will-be-like`],
    ['a future version whose flags are followed by other than a dash', `cc-${TRACE_ID}-${PARENT_ID}-01.future`],
    ['a future version shorter than 55 characters', `cc-${TRACE_ID}-${PARENT_ID}`],
    ['two headers (joined by a comma)', `00-${TRACE_ID}-${PARENT_ID}-01,00-${TRACE_ID}-${PARENT_ID}-01`],
    ['an empty header', ''],
  ])('restarts the trace (sampled, no tracestate) on an invalid one: %s', (_, traceparent) => {
    const { context } = inboundContext(undefined, traceparent, 'foo=1');
    expect(context.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(context.traceId).not.toBe(TRACE_ID);
    expect(context.sampled).toBe(true);
    // "If the vendor failed to parse traceparent, it MUST NOT attempt to parse tracestate."
    expect(context.tracestate).toBeUndefined();
  });

  it('reads the header in any case, and a request with none starts a new trace', async () => {
    service = await buildTestApp({ routes });
    const continued = await service.app.inject({
      url: '/context',
      headers: { TrAcEpArEnT: `00-${TRACE_ID}-${PARENT_ID}-00`, TRACESTATE: 'foo=1' },
    });
    expect(continued.json()).toMatchObject({ traceId: TRACE_ID, sampled: false, tracestate: 'foo=1' });
    const started = (await service.app.inject({ url: '/context' })).json<{ traceId: string }>();
    expect(started).toMatchObject({ traceId: expect.stringMatching(/^[0-9a-f]{32}$/), sampled: true });
    expect(started).not.toHaveProperty('tracestate');
  });
});

describe('W3C tracestate, by the spec', () => {
  const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
  const tracestateOf = (tracestate: string | undefined) =>
    inboundContext(undefined, TRACEPARENT, tracestate).context.tracestate;
  const members = (count: number, length = 5) =>
    Array.from({ length: count }, (_, index) => `k${String(index).padStart(2, '0')}=`.padEnd(length, 'v'));
  const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_-*/';
  const VALUE_CHARS = Array.from({ length: 0x7e - 0x20 + 1 }, (_, index) => String.fromCharCode(0x20 + index))
    .filter((char) => char !== ',' && char !== '=')
    .join('');

  it.each([
    ['one member', 'congo=t61rcWkgMzE'],
    ['members, in their order', 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE'],
    ['a value keeping its leading space', 'foo= 1'],
    ['every character a key and a value may have', `${KEY_CHARS}=${VALUE_CHARS}`],
    ['a multi-tenant key', `${KEY_CHARS}@a-z0-9_-*/=1`],
    ['a tenant id starting with a digit', '1tenant@system=1'],
    ['a key of 256 characters', `${'z'.repeat(256)}=1`],
    ['a tenant id of 241 and a system id of 14 characters', `${'t'.repeat(241)}@${'v'.repeat(14)}=1`],
    ['a value of 256 characters', `foo=${'v'.repeat(256)}`],
    [`${MAX_TRACESTATE_MEMBERS} members`, members(MAX_TRACESTATE_MEMBERS).join(',')],
  ])('passes a valid one on as it came: %s', (_, tracestate) => {
    expect(tracestateOf(tracestate)).toBe(tracestate);
  });

  it.each([
    ['optional whitespace around members', 'foo=1 \t , \t bar=2,\t \tbaz=3 ', 'foo=1,bar=2,baz=3'],
    ['empty and whitespace-only members', ',foo=1,, \t ,bar=2,', 'foo=1,bar=2'],
  ])('passes a valid one on without its %s', (_, tracestate, expected) => {
    expect(tracestateOf(tracestate)).toBe(expected);
  });

  it.each([
    ['a space before "="', 'foo =1'],
    ['an upper-case key', 'FOO=1'],
    ['a dot in the key', 'foo.bar=1'],
    ['a simple key starting with a digit', '1foo=1'],
    ['an empty key', '=1'],
    ['no "="', 'foo'],
    ['an empty tenant or system id', 'foo@=1,bar=2'],
    ['a key starting with "@"', '@foo=1,bar=2'],
    ['two "@"', 'foo@@bar=1,bar=2'],
    ['two tenant separators', 'foo@bar@baz=1,bar=2'],
    ['a system id starting with a digit', 'foo@1bar=1'],
    ['a key of 257 characters', `foo=1,${'z'.repeat(257)}=1`],
    ['a tenant id of 242 characters', `foo=1,${'t'.repeat(242)}@v=1`],
    ['a system id of 15 characters', `foo=1,t@${'v'.repeat(15)}=1`],
    ['"=" in a value', 'foo=bar=baz'],
    ['an empty value', 'foo=,bar=3'],
    ['a tab in a value', 'foo=a\tb'],
    ['a non-ASCII value', 'foo=café'],
    ['a value of 257 characters', `foo=${'v'.repeat(257)}`],
    ['a duplicated key', 'foo=1,foo=1'],
    ['a key twice with different values', 'foo=1,bar=2,foo=2'],
    [`${MAX_TRACESTATE_MEMBERS + 1} members`, members(MAX_TRACESTATE_MEMBERS + 1).join(',')],
  ])('drops an invalid one whole, the trace continuing: %s', (_, tracestate) => {
    const { context } = inboundContext(undefined, TRACEPARENT, tracestate);
    expect(context.traceId).toBe(TRACE_ID);
    expect(context.tracestate).toBeUndefined();
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['whitespace and commas only', ' \t, ,'],
  ])('sends none for one that is %s', (_, tracestate) => {
    expect(tracestateOf(tracestate)).toBeUndefined();
  });

  it(`truncates one over ${MAX_TRACESTATE_LENGTH} characters by whole entries, from the end`, () => {
    const eight = members(8, 70); // 8 × 70 + 7 commas = 567
    expect(tracestateOf(eight.join(','))).toBe(eight.slice(0, 7).join(',')); // 7 × 70 + 6 = 496
  });

  it('truncates entries over 128 characters first, wherever they are', () => {
    const short = members(5, 70);
    const long = `long=${'x'.repeat(200)}`;
    const tracestate = [short[0], long, ...short.slice(1)].join(','); // 205 + 350 + 5 = 560
    expect(tracestateOf(tracestate)).toBe(short.join(','));
    // One member of 256 + 1 + 256 characters is longer than the whole limit: nothing is left to send.
    expect(tracestateOf(`${'k'.repeat(256)}=${'v'.repeat(256)}`)).toBeUndefined();
  });

  it('combines several headers in their order, and drops a key repeated across them', async () => {
    service = await buildTestApp({ routes });
    const combined = await service.app.inject({
      url: '/context',
      headers: { traceparent: TRACEPARENT, tracestate: ['foo=1,bar=2', '', 'rojo=1,congo=2', 'baz=3'] },
    });
    expect(combined.json()).toMatchObject({ traceId: TRACE_ID, tracestate: 'foo=1,bar=2,rojo=1,congo=2,baz=3' });
    const repeated = await service.app.inject({
      url: '/context',
      headers: { traceparent: TRACEPARENT, tracestate: ['foo=1', 'foo=2'] },
    });
    expect(repeated.json()).toMatchObject({ traceId: TRACE_ID });
    expect(repeated.json()).not.toHaveProperty('tracestate');
  });
});
