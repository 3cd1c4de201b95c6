// Platform-owned: tests of the chassis outbound HTTP. Changes come from templates/service on upgrade, not by hand.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentContext, inboundContext, newContext, runWithContext } from '../../src/chassis/correlation';
import { fetchWithContext } from '../../src/chassis/outbound-http';
import { buildTestApp, type LogLine } from '../support';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

/** A real downstream service on 127.0.0.1 that answers with the headers it received. */
let downstream: Server;
let baseUrl: string;

beforeAll(async () => {
  downstream = createServer((request, response) => {
    const delay = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
    setTimeout(
      () => response.setHeader('content-type', 'application/json').end(JSON.stringify(request.headers)),
      delay,
    );
  });
  downstream.listen(0, '127.0.0.1');
  await once(downstream, 'listening');
  baseUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}`;
});

afterAll(() => {
  downstream.closeAllConnections();
  downstream.close();
});

async function receivedHeaders(response: Promise<Response>): Promise<IncomingHttpHeaders> {
  return (await (await response).json()) as IncomingHttpHeaders;
}

function traceparentParts(value: unknown): { traceId: string; spanId: string } {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(String(value));
  if (!match?.[1] || !match[2]) throw new Error(`not a traceparent: ${String(value)}`);
  return { traceId: match[1], spanId: match[2] };
}

describe('fetchWithContext', () => {
  it('sends the current correlation id, and the trace with a new span per call', async () => {
    const context = newContext();
    const [first, second] = await runWithContext(context, () =>
      Promise.all([
        receivedHeaders(fetchWithContext(`${baseUrl}/a`)),
        receivedHeaders(fetchWithContext(`${baseUrl}/b`)),
      ]),
    );
    expect(first?.['x-correlation-id']).toBe(context.correlationId);
    expect(traceparentParts(first?.traceparent).traceId).toBe(context.traceId);
    expect(traceparentParts(first?.traceparent).spanId).not.toBe(traceparentParts(second?.traceparent).spanId);
  });

  it("passes the caller's trace on: same trace and sampled flag, a new parent id per call, its tracestate", async () => {
    const callerParentId = '00f067aa0ba902b7';
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/fan-out', async () =>
        Promise.all(['/a', '/b', '/c'].map((path) => receivedHeaders(fetchWithContext(`${baseUrl}${path}`)))),
      );
    };
    const { app } = await buildTestApp({ routes });
    const response = await app.inject({
      url: '/fan-out',
      headers: { traceparent: `cc-${TRACE_ID}-${callerParentId}-00-future`, tracestate: 'rojo=1 , congo=t61rcWkgMzE' },
    });
    await app.close();
    const calls = response.json<IncomingHttpHeaders[]>();
    const parentIds = calls.map((headers) => {
      // Version 00 whatever the caller's, its sampled flag (not set here), a span id of ours.
      const match = new RegExp(`^00-${TRACE_ID}-([0-9a-f]{16})-00$`).exec(String(headers.traceparent));
      expect(match, String(headers.traceparent)).not.toBeNull();
      expect(headers.tracestate).toBe('rojo=1,congo=t61rcWkgMzE');
      return match?.[1];
    });
    expect(new Set(parentIds).size).toBe(3);
    expect(parentIds).not.toContain(callerParentId);
  });

  it('sends no tracestate when the trace has none, or when the caller sets its own traceparent', async () => {
    const withState = inboundContext(undefined, `00-${TRACE_ID}-00f067aa0ba902b7-01`, 'congo=1').context;
    const own = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    const [none, ownTraceparent, ownTracestate] = await Promise.all([
      runWithContext(newContext(), () => receivedHeaders(fetchWithContext(baseUrl))),
      runWithContext(withState, () => receivedHeaders(fetchWithContext(baseUrl, { headers: { traceparent: own } }))),
      runWithContext(withState, () =>
        receivedHeaders(fetchWithContext(baseUrl, { headers: { tracestate: 'mine=1' } })),
      ),
    ]);
    expect(none).not.toHaveProperty('tracestate');
    expect(ownTraceparent).toMatchObject({ traceparent: own });
    expect(ownTraceparent).not.toHaveProperty('tracestate');
    expect(ownTracestate).toMatchObject({ tracestate: 'mine=1' });
    expect(traceparentParts(ownTracestate?.traceparent).traceId).toBe(TRACE_ID);
  });

  it("forwards the inbound request's correlation id from a route handler", async () => {
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/proxy', async () => receivedHeaders(fetchWithContext(`${baseUrl}/downstream`)));
    };
    const { app } = await buildTestApp({ routes });
    const response = await app.inject({ url: '/proxy', headers: { 'x-correlation-id': 'from-caller' } });
    expect(response.json()).toMatchObject({ 'x-correlation-id': 'from-caller' });
    await app.close();
  });

  it('starts a new correlation id and trace outside any request', async () => {
    const headers = await receivedHeaders(fetchWithContext(baseUrl));
    expect(headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
    traceparentParts(headers.traceparent);
  });

  it('keeps headers the caller set, and sends the others', async () => {
    const headers = await runWithContext(newContext(), () =>
      receivedHeaders(
        fetchWithContext(baseUrl, {
          method: 'POST',
          body: '{}',
          headers: { 'x-correlation-id': 'chosen', 'content-type': 'application/json' },
        }),
      ),
    );
    expect(headers).toMatchObject({ 'x-correlation-id': 'chosen', 'content-type': 'application/json' });
    traceparentParts(headers.traceparent);
  });

  it('aborts after timeoutMs', async () => {
    await expect(fetchWithContext(`${baseUrl}/?delay=1000`, { timeoutMs: 50 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
  });

  it("still honours the caller's own abort signal", async () => {
    const controller = new AbortController();
    const call = fetchWithContext(`${baseUrl}/?delay=1000`, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('the http.client line of each call', () => {
  const clientLines = (lines: LogLine[]) => lines.filter((line) => line.kind === 'http.client');

  it("names the call without its query string, its status and time, the span it sent and the caller's span", async () => {
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/proxy', async () =>
        receivedHeaders(fetchWithContext(`${baseUrl}/items/7?token=s3cret#frag`, { method: 'post', body: '{}' })),
      );
    };
    const { app, logs } = await buildTestApp({ routes });
    const sent = (
      await app.inject({ url: '/proxy', headers: { 'x-correlation-id': 'order-9' } })
    ).json<IncomingHttpHeaders>();
    await app.close();
    const [line] = clientLines(logs.lines);
    expect(clientLines(logs.lines)).toHaveLength(1);
    expect(line).toMatchObject({
      level: 'info',
      msg: 'http call completed',
      correlationId: 'order-9',
      traceId: traceparentParts(sent.traceparent).traceId,
      spanId: traceparentParts(sent.traceparent).spanId,
      parentSpanId: logs.requestLines()[0]?.spanId,
      method: 'POST',
      url: `${baseUrl}/items/7`,
      status: 200,
    });
    expect(line?.durationMs).toBeTypeOf('number');
    expect(logs.raw.join('\n')).not.toContain('s3cret');
  });

  it("makes the downstream chassis' request line a child of the call's span", async () => {
    // The downstream is built first: fetchWithContext logs to the app built last, the caller.
    const downstreamApp = await buildTestApp();
    const downstreamUrl = await downstreamApp.app.listen({ port: 0, host: '127.0.0.1' });
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/call', async () => (await fetchWithContext(`${downstreamUrl}/missing`)).status);
    };
    const caller = await buildTestApp({ routes });
    await caller.app.inject({ url: '/call', headers: { 'x-correlation-id': 'hop-1' } });
    await caller.app.close();
    await downstreamApp.app.close();

    const [callerRequest] = caller.logs.requestLines();
    const [call] = clientLines(caller.logs.lines);
    const [downstreamRequest] = downstreamApp.logs.requestLines();
    expect(call).toMatchObject({ correlationId: 'hop-1', parentSpanId: callerRequest?.spanId, status: 404 });
    expect(downstreamRequest).toMatchObject({ correlationId: 'hop-1', parentSpanId: call?.spanId, status: 404 });
    expect(new Set([callerRequest?.spanId, call?.spanId, downstreamRequest?.spanId]).size).toBe(3);
  });

  it('is written at warn with the error when the call fails: refused, or timed out', async () => {
    const { app, logs } = await buildTestApp();
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    closed.close();
    await once(closed, 'close');

    const context = newContext();
    await runWithContext(context, async () => {
      await expect(fetchWithContext(closedUrl)).rejects.toThrow('fetch failed');
      await expect(fetchWithContext(`${baseUrl}/?delay=1000`, { timeoutMs: 50 })).rejects.toThrow();
    });
    await app.close();
    const [refused, timedOut] = clientLines(logs.lines);
    expect(refused).toMatchObject({
      level: 'warn',
      msg: 'http call failed',
      url: closedUrl,
      error: 'TypeError: fetch failed (ECONNREFUSED)',
      correlationId: context.correlationId,
      parentSpanId: context.spanId,
    });
    expect(refused).not.toHaveProperty('status');
    expect(timedOut).toMatchObject({ level: 'warn', error: expect.stringMatching(/^TimeoutError: /) });
    expect(timedOut?.durationMs).toBeTypeOf('number');
  });

  it("is a root span outside any request, and names no span of ours with the caller's own traceparent", async () => {
    const { app, logs } = await buildTestApp();
    const own = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`;
    const outside = await receivedHeaders(fetchWithContext(`${baseUrl}/outside`));
    expect(currentContext()).toBeUndefined();
    await runWithContext(newContext(), () =>
      receivedHeaders(fetchWithContext(baseUrl, { headers: { traceparent: own } })),
    );
    await app.close();
    const [root, ownTrace] = clientLines(logs.lines);
    expect(root).toMatchObject({
      correlationId: outside['x-correlation-id'],
      spanId: traceparentParts(outside.traceparent).spanId,
    });
    expect(root).not.toHaveProperty('parentSpanId');
    expect(ownTrace).not.toHaveProperty('spanId');
    expect(ownTrace?.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
  });
});
