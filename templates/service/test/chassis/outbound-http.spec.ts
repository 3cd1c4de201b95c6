// Platform-owned: tests of the chassis outbound HTTP. Changes come from templates/service on upgrade, not by hand.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext, runWithContext } from '../../src/chassis/correlation';
import { fetchWithContext } from '../../src/chassis/outbound-http';
import { buildTestApp } from '../support';

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
