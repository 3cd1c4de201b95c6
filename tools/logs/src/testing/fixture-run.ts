/**
 * A run folder as `npm run dev` leaves it, for the specs: four services' chassis lines for one order (`order-42`)
 * that crosses them — HTTP calls nested two deep, an event hop, an error, a compensation — plus another request, a
 * line that is not JSON, start-up lines outside any request, and a request whose caller's logs are missing (an
 * orphan). An older run beside it holds one other line, so "latest" has something to be told from.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRunId, runFolder, serviceLogFile } from '../run-folder';

export const ORDER = 'order-42';
export const OTHER_ORDER = 'order-43';
/** 2026-12-02T10:00:00.000Z */
export const T0 = Date.UTC(2026, 11, 2, 10, 0, 0);
export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const SPANS = {
  order: 'a000000000000001',
  reserveCall: 'c000000000000001',
  reserve: 'b000000000000001',
  payCall: 'c000000000000002',
  pay: 'b000000000000002',
  notify: 'd000000000000001',
  orphan: 'e000000000000001',
  missingCaller: 'deadbeefdeadbeef',
  otherOrder: 'a000000000000002',
} as const;
export const EVENT_ID = '9b2c6f0e-8d1a-4f57-9a43-1d2e3f4a5b6c';
export const NOT_JSON = 'TypeError: Cannot read properties of undefined (reading "card")';
export const SERVICES = ['customer', 'inventory', 'order-processor', 'payment'] as const;

type Fields = Record<string, unknown>;

/** A chassis line: pino's level, time, base fields, then the mixin's and the call's, then msg. */
function line(service: string, at: number, level: string, msg: string, fields: Fields = {}): string {
  return JSON.stringify({ level, time: T0 + at, service, version: '0.1.0', ...fields, msg });
}

const inRequest = (correlationId: string, spanId: string, parentSpanId?: string): Fields => ({
  correlationId,
  spanId,
  ...(parentSpanId ? { parentSpanId } : {}),
});

/** Each service's lines, in the order (and at the times, ms after T0) it wrote them. */
export function fixtureLines(): Record<(typeof SERVICES)[number], string[]> {
  const order = inRequest(ORDER, SPANS.order);
  return {
    'order-processor': [
      line('order-processor', -1000, 'info', 'Server listening at http://127.0.0.1:3001'),
      line('order-processor', 2, 'info', 'placing order', { ...order, items: 2 }),
      line('order-processor', 30, 'info', 'http call completed', {
        ...inRequest(ORDER, SPANS.reserveCall, SPANS.order),
        traceId: TRACE_ID,
        kind: 'http.client',
        method: 'POST',
        url: 'http://127.0.0.1:3002/reservations',
        status: 200,
        durationMs: 25,
      }),
      line('order-processor', 80, 'info', 'http call completed', {
        ...inRequest(ORDER, SPANS.payCall, SPANS.order),
        traceId: TRACE_ID,
        kind: 'http.client',
        method: 'POST',
        url: 'http://127.0.0.1:3003/payments',
        status: 502,
        durationMs: 40,
      }),
      line('order-processor', 85, 'info', 'reservation released', { ...order, compensation: true }),
      line('order-processor', 90, 'info', 'event published', {
        ...order,
        kind: 'event.published',
        eventType: 'com.musiccorp.order.cancelled',
        eventId: EVENT_ID,
      }),
      line('order-processor', 120, 'info', 'request completed', {
        ...order,
        traceId: TRACE_ID,
        kind: 'http.server',
        method: 'POST',
        route: '/orders',
        path: '/orders',
        status: 201,
        durationMs: 120,
      }),
      line('order-processor', 300, 'info', 'request completed', {
        ...inRequest(OTHER_ORDER, SPANS.otherOrder),
        kind: 'http.server',
        method: 'GET',
        route: '/orders/:id',
        path: '/orders/43',
        status: 200,
        durationMs: 4,
      }),
    ],
    inventory: [
      line('inventory', -900, 'info', 'Server listening at http://127.0.0.1:3002'),
      line('inventory', 20, 'info', 'stock reserved', {
        ...inRequest(ORDER, SPANS.reserve, SPANS.reserveCall),
        sku: 7,
      }),
      line('inventory', 28, 'info', 'request completed', {
        ...inRequest(ORDER, SPANS.reserve, SPANS.reserveCall),
        kind: 'http.server',
        method: 'POST',
        route: '/reservations',
        path: '/reservations',
        status: 200,
        durationMs: 20,
      }),
      line('inventory', 203, 'info', 'request completed', {
        ...inRequest(ORDER, SPANS.orphan, SPANS.missingCaller),
        kind: 'http.server',
        method: 'GET',
        route: '/stock/:sku',
        path: '/stock/7',
        status: 200,
        durationMs: 3,
      }),
    ],
    payment: [
      line('payment', -800, 'info', 'Server listening at http://127.0.0.1:3003'),
      line('payment', 75, 'error', 'card processor unreachable', {
        ...inRequest(ORDER, SPANS.pay, SPANS.payCall),
        err: { type: 'Error', message: 'connect ECONNREFUSED 10.0.0.9:443' },
      }),
      NOT_JSON,
      line('payment', 78, 'info', 'request completed', {
        ...inRequest(ORDER, SPANS.pay, SPANS.payCall),
        kind: 'http.server',
        method: 'POST',
        route: '/payments',
        path: '/payments',
        status: 502,
        durationMs: 35,
      }),
    ],
    customer: [
      line('customer', -700, 'info', 'Server listening at http://127.0.0.1:3004'),
      line('customer', 145, 'info', 'customer notified', inRequest(ORDER, SPANS.notify, SPANS.order)),
      line('customer', 150, 'info', 'event consumed', {
        ...inRequest(ORDER, SPANS.notify, SPANS.order),
        kind: 'event.consumed',
        eventType: 'com.musiccorp.order.cancelled',
        eventId: EVENT_ID,
        durationMs: 12,
        outcome: 'processed',
      }),
    ],
  };
}

export interface FixtureWorkspace {
  /** Stands in for the workspace root: it holds `.musiccorp/runs`. */
  root: string;
  runId: string;
  runDir: string;
  olderRunDir: string;
  dispose(): void;
}

/** A temporary root with the fixture run as its latest run; dispose() removes it. */
export function createFixtureWorkspace(): FixtureWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'musiccorp-logs-'));
  const olderRunDir = runFolder(root, newRunId(new Date(T0 - 86_400_000)));
  mkdirSync(olderRunDir, { recursive: true });
  writeFileSync(
    serviceLogFile(olderRunDir, 'catalog'),
    `${line('catalog', -86_400_000, 'info', 'from yesterday', inRequest('old-1', 'f000000000000001'))}\n`,
  );
  const runId = newRunId(new Date(T0 - 2000));
  const runDir = runFolder(root, runId);
  mkdirSync(runDir, { recursive: true });
  for (const [service, lines] of Object.entries(fixtureLines())) {
    writeFileSync(serviceLogFile(runDir, service), `${lines.join('\n')}\n`);
  }
  return { root, runId, runDir, olderRunDir, dispose: () => rmSync(root, { recursive: true, force: true }) };
}
