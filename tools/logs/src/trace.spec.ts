import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogRecord } from './log-record';
import { buildTrace, formatTrace, type Trace, type TraceNode } from './trace';
import { main, type CorrelationSummary } from './trace-command';
import {
  EVENT_ID,
  NOT_JSON,
  ORDER,
  OTHER_ORDER,
  SPANS,
  createFixtureWorkspace,
  fixtureLines,
  type FixtureWorkspace,
} from './testing/fixture-run';

const orderRecords = (): LogRecord[] =>
  Object.values(fixtureLines())
    .flat()
    .filter((line) => line !== NOT_JSON)
    .map((line) => JSON.parse(line) as LogRecord)
    .filter((record) => record['correlationId'] === ORDER);

/** The tree as `service kind what` lines, indented by depth: what the nesting is, without the times. */
function shape(nodes: readonly TraceNode[], depth = 0): string[] {
  return nodes.flatMap((node) => [
    `${'  '.repeat(depth)}${node.service} ${node.kind} ${node.what}`,
    ...shape(node.children, depth + 1),
  ]);
}

describe('buildTrace', () => {
  it('nests each hop under the one that caused it, siblings by start time, the orphan at the top', () => {
    // Any order in: the lines of several files, shuffled.
    const trace = buildTrace(ORDER, orderRecords().reverse());
    expect(shape(trace.roots)).toEqual([
      'order-processor http.server POST /orders → 201',
      '  order-processor info placing order',
      '  order-processor http.client POST http://127.0.0.1:3002/reservations → 200',
      '    inventory http.server POST /reservations → 200',
      '      inventory info stock reserved',
      '  order-processor http.client POST http://127.0.0.1:3003/payments → 502',
      '    payment http.server POST /payments → 502',
      '      payment error card processor unreachable: connect ECONNREFUSED 10.0.0.9:443',
      '  order-processor info reservation released',
      '  order-processor event.published published com.musiccorp.order.cancelled',
      '    customer event.consumed consumed com.musiccorp.order.cancelled → processed',
      '      customer info customer notified',
      'inventory http.server GET /stock/7 → 200',
    ]);
    const [order, orphan] = trace.roots;
    expect(order).toMatchObject({ offsetMs: 0, durationMs: 120, spanId: SPANS.order });
    expect(orphan).toMatchObject({ orphanOf: SPANS.missingCaller, offsetMs: 200 });
    // A hop starts its duration before its line: the reservation call's line is at +30 ms, it took 25.
    expect(order?.children[1]).toMatchObject({ kind: 'http.client', offsetMs: 5, durationMs: 25 });
    expect(trace).toMatchObject({
      correlationId: ORDER,
      start: '2026-12-02T10:00:00.000Z',
      durationMs: 203,
      services: ['customer', 'inventory', 'order-processor', 'payment'],
      lines: 13,
      errors: 3,
      compensations: 1,
      orphans: 1,
    });
  });

  it('marks errors (level ≥ 50, 5xx, failed calls and handlers, dead letters) and compensations', () => {
    const nodes = flatten(buildTrace(ORDER, orderRecords()).roots);
    expect(nodes.filter((node) => node.error).map((node) => node.error)).toEqual([
      'status 502',
      'status 502',
      'card processor unreachable: connect ECONNREFUSED 10.0.0.9:443',
    ]);
    expect(nodes.filter((node) => node.compensation).map((node) => node.what)).toEqual(['reservation released']);
    const failed = buildTrace('x', [
      {
        time: 1,
        service: 'a',
        correlationId: 'x',
        spanId: 's1',
        kind: 'http.client',
        method: 'GET',
        url: 'u',
        error: 'TimeoutError: t',
        durationMs: 5,
      },
      {
        time: 2,
        service: 'b',
        correlationId: 'x',
        spanId: 's2',
        kind: 'event.consumed',
        eventType: 'e',
        eventId: 'i',
        outcome: 'failed',
        durationMs: 1,
      },
      {
        time: 3,
        service: 'b',
        correlationId: 'x',
        spanId: 's2',
        kind: 'event.dead-lettered',
        eventType: 'e',
        eventId: 'i',
        reason: 'poison',
      },
    ]);
    expect(flatten(failed.roots).flatMap((node) => node.error ?? [])).toEqual([
      'TimeoutError: t',
      'handler failed',
      'dead-lettered: poison',
    ]);
  });

  it('puts a consumed event under its published line, or under the producing span when that line is missing', () => {
    const withoutPublished = orderRecords().filter((record) => record['kind'] !== 'event.published');
    const order = buildTrace(ORDER, withoutPublished).roots[0];
    expect(order?.children.map((node) => node.kind)).toContain('event.consumed');
    const withPublished = buildTrace(ORDER, orderRecords()).roots[0];
    const published = withPublished?.children.find((node) => node.kind === 'event.published');
    expect(published?.children[0]).toMatchObject({ kind: 'event.consumed', record: { eventId: EVENT_ID } });
  });

  it('shows a span known only from its lines, lines without a span at the top, and survives a cycle', () => {
    const trace = buildTrace('x', [
      { time: 10, service: 'a', correlationId: 'x', level: 'info', msg: 'in flight', spanId: 'p1' },
      { time: 5, service: 'a', correlationId: 'x', level: 'info', msg: 'no span' },
      {
        time: 20,
        service: 'b',
        correlationId: 'x',
        spanId: 'c1',
        parentSpanId: 'c2',
        kind: 'http.server',
        method: 'GET',
        path: '/1',
        status: 200,
        durationMs: 1,
      },
      {
        time: 30,
        service: 'c',
        correlationId: 'x',
        spanId: 'c2',
        parentSpanId: 'c1',
        kind: 'http.server',
        method: 'GET',
        path: '/2',
        status: 200,
        durationMs: 1,
      },
    ]);
    expect(shape(trace.roots)).toEqual([
      'a info no span',
      'a span span p1 (no hop line)',
      '  a info in flight',
      'b http.server GET /1 → 200',
      '  c http.server GET /2 → 200',
    ]);
  });
});

describe('formatTrace', () => {
  it('prints one line per hop: offset, indented service, kind, what, duration and marks', () => {
    const text = formatTrace(buildTrace(ORDER, orderRecords()));
    const rows = text.split('\n');
    expect(rows[0]).toBe(
      'trace order-42 · 2026-12-02T10:00:00.000Z · 4 services (customer, inventory, order-processor, payment) · 13 lines · 203ms in all · 3 errors · 1 compensation · 1 orphan',
    );
    expect(rows).toContain('  +0ms  order-processor        http.server      POST /orders → 201  (120ms)');
    expect(rows).toContain(
      ' +43ms      payment            http.server      POST /payments → 502  (35ms)  ✗ status 502',
    );
    expect(rows).toContain(' +85ms    order-processor      info             reservation released  ↺ compensation');
    expect(rows).toContain(
      ' +75ms        payment          error            card processor unreachable: connect ECONNREFUSED 10.0.0.9:443  ✗',
    );
    expect(rows.at(-1)).toBe(
      `+200ms  inventory              http.server      GET /stock/7 → 200  (3ms)  — orphan: its parent span ${SPANS.missingCaller} is in none of these lines (the caller's logs are missing)`,
    );
  });
});

describe('npm run trace', () => {
  let fixture: FixtureWorkspace;
  beforeEach(() => {
    fixture = createFixtureWorkspace();
  });
  afterEach(() => fixture.dispose());

  function trace(argv: string[], stdin?: Readable) {
    return runCaptured(main, argv, { root: fixture.root, ...(stdin ? { stdin } : {}) });
  }

  it("prints the timeline of an id from the latest run's services, or the tree as JSON", async () => {
    const text = await trace([ORDER]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(`${formatTrace(buildTrace(ORDER, orderRecords()))}\n`);
    const json = JSON.parse((await trace([ORDER, '--json'])).stdout) as Trace;
    expect(shape(json.roots)).toEqual(shape(buildTrace(ORDER, orderRecords()).roots));
  });

  it('reads files or stdin too', async () => {
    const piped = Readable.from([fixtureLines()['order-processor'].join('\n')]);
    const { stdout } = await trace([ORDER], piped);
    expect(stdout).toMatch(/^ *\+0ms {2}order-processor +http\.server +POST \/orders → 201 {2}\(120ms\)$/m);
    expect(stdout).toContain('1 service (order-processor)');
  });

  it('exits 1 for an id no line has, naming how to list the ids', async () => {
    const { code, stdout, stderr } = await trace(['order-999']);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(
      `trace: no line of run .musiccorp/runs/${fixture.runId} has correlationId "order-999". List the ids there are: npm run trace -- --list\n`,
    );
  });

  it('--list names every correlation id, oldest first, with its first request', async () => {
    const listed = await trace(['--list']);
    expect(listed.stdout.split('\n').slice(0, 2)).toEqual([
      '2026-12-02T10:00:00.002Z  order-42     13 lines  4 services  1 error   POST /orders → 201',
      '2026-12-02T10:00:00.300Z  order-43      1 line   1 service             GET /orders/43 → 200',
    ]);
    const ids = JSON.parse((await trace(['--list', '--json'])).stdout) as CorrelationSummary[];
    expect(ids.map((id) => id.correlationId)).toEqual([ORDER, OTHER_ORDER]);
    expect(ids[0]).toMatchObject({
      lines: 13,
      errors: 1,
      services: ['customer', 'inventory', 'order-processor', 'payment'],
    });
  });

  it('refuses a missing id with the usage', async () => {
    const { code, stderr } = await trace([]);
    expect(code).toBe(2);
    expect(stderr).toContain('Which request? Give its correlation id; `npm run trace -- --list` lists them.');
  });
});

function flatten(nodes: readonly TraceNode[]): TraceNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children)]);
}
