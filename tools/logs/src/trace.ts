/**
 * One request's timeline across services, nested by causality: each hop line (the chassis' HopKind) that starts a
 * span — `http.server`, `http.client`, `event.consumed` — is a node keyed by its spanId under the node of its
 * parentSpanId (a service's request under the caller's call, a consumed event under the producing span, or under the
 * `event.published` line of the same event id when the producer logged one). Other lines sit in their span.
 * Siblings are ordered by when they started; a node whose parent span is in none of the lines is an orphan, listed at
 * the top with a note.
 */
import { hopSummary } from './format';
import { fieldOf, isErrorLevel, levelName, levelOf, numberField, stringField, type LogRecord } from './log-record';

/** Hop kinds that open a span of their own (the others are lines inside one). */
const SPAN_KINDS = new Set(['http.server', 'http.client', 'event.consumed']);

export interface TraceNode {
  /** A hop kind, `span` for a span only known from its lines, or the level of a plain line (`info`, `error`). */
  kind: string;
  service: string;
  /** Milliseconds from the trace's first moment to when this started (a span's line minus its duration). */
  offsetMs: number;
  durationMs?: number;
  /** What happened: `POST /orders → 201`, `consumed com.musiccorp.order.cancelled → ack`, a line's message. */
  what: string;
  spanId?: string;
  parentSpanId?: string;
  /**
   * Set when the line is logged at error or above, a call failed, a response was 5xx, a consumer's handler failed
   * (outcome `failed`: the broker retries it) or an event was dead-lettered.
   */
  error?: string;
  /** Set when the line says `compensation: true`: it undoes earlier work. */
  compensation?: true;
  /** Set on a top-level node whose parent span is not in the logs. */
  orphanOf?: string;
  record: LogRecord;
  children: TraceNode[];
}

export interface Trace {
  correlationId: string;
  /** ISO time of the first moment (the earliest span start or line). */
  start: string;
  durationMs: number;
  services: string[];
  lines: number;
  errors: number;
  compensations: number;
  orphans: number;
  roots: TraceNode[];
}

interface Placed {
  node: TraceNode;
  start: number;
}

/** The trace of `correlationId` from its lines (JSON records, any order). */
export function buildTrace(correlationId: string, records: readonly LogRecord[]): Trace {
  const spans = new Map<string, Placed>();
  const lines: Placed[] = [];
  for (const record of records) {
    const placed = place(record);
    const spanId = placed.node.spanId;
    if (SPAN_KINDS.has(placed.node.kind) && spanId !== undefined && !spans.has(spanId)) spans.set(spanId, placed);
    else lines.push(placed);
  }
  // A span known only from the lines in it (its hop line missing, e.g. a request still in flight).
  for (const line of lines) {
    const spanId = line.node.spanId;
    if (spanId === undefined || spans.has(spanId)) continue;
    spans.set(spanId, {
      node: {
        kind: 'span',
        service: line.node.service,
        offsetMs: 0,
        what: `span ${spanId} (no hop line)`,
        spanId,
        ...(line.node.parentSpanId === undefined ? {} : { parentSpanId: line.node.parentSpanId }),
        record: {},
        children: [],
      },
      start: line.start,
    });
  }

  const publishedEvents = new Map<string, Placed>();
  for (const line of lines) {
    const eventId = stringField(line.node.record, 'eventId');
    if (line.node.kind === 'event.published' && eventId !== undefined) publishedEvents.set(eventId, line);
  }
  const roots: Placed[] = [];
  const childrenOf = new Map<TraceNode, Placed[]>();
  const attach = (parent: TraceNode, child: Placed) =>
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), child]);
  for (const line of lines) {
    const span = line.node.spanId === undefined ? undefined : spans.get(line.node.spanId);
    if (span) attach(span.node, line);
    else roots.push(line);
  }
  for (const span of spans.values()) {
    const { parentSpanId } = span.node;
    const eventId = stringField(span.node.record, 'eventId');
    const published = span.node.kind === 'event.consumed' && eventId ? publishedEvents.get(eventId) : undefined;
    const parent = parentSpanId === undefined ? undefined : spans.get(parentSpanId);
    if (published && published.node.spanId === parentSpanId) attach(published.node, span);
    else if (parent) attach(parent.node, span);
    else {
      if (parentSpanId !== undefined) span.node.orphanOf = parentSpanId;
      roots.push(span);
    }
  }

  const first = Math.min(...roots.map((root) => root.start), ...[...spans.values()].map((span) => span.start));
  const visited = new Set<TraceNode>();
  const build = (placed: Placed): TraceNode => {
    visited.add(placed.node);
    const children = sortByStart(childrenOf.get(placed.node) ?? [])
      .filter((child) => !visited.has(child.node))
      .map(build);
    return { ...placed.node, offsetMs: placed.start - first, children };
  };
  const built = sortByStart(roots).map(build);
  // Spans whose parents point at each other (a cycle: no real trace has one) are reached from no root: list them too.
  for (const span of spans.values()) {
    if (visited.has(span.node)) continue;
    span.node.orphanOf = span.node.parentSpanId ?? span.node.spanId;
    built.push(build(span));
  }

  const all = built.flatMap(flatten);
  const last = Math.max(...all.map((node) => node.offsetMs + (node.durationMs ?? 0)));
  return {
    correlationId,
    start: new Date(first).toISOString(),
    durationMs: last,
    services: [...new Set(all.map((node) => node.service))].filter((name) => name !== '?').sort(),
    lines: records.length,
    errors: all.filter((node) => node.error !== undefined).length,
    compensations: all.filter((node) => node.compensation).length,
    orphans: built.filter((node) => node.orphanOf !== undefined).length,
    roots: built,
  };
}

function place(record: LogRecord): Placed {
  const time = typeof record['time'] === 'number' ? record['time'] : Date.parse(String(record['time']));
  const kind = stringField(record, 'kind');
  const [summary] = hopSummary(record);
  const hop = kind !== undefined && summary !== undefined;
  const durationMs = hop ? numberField(record, 'durationMs') : undefined;
  const spanId = stringField(record, 'spanId');
  const parentSpanId = stringField(record, 'parentSpanId');
  const node: TraceNode = {
    kind: hop ? kind : levelName(levelOf(record)),
    service: stringField(record, 'service') ?? '?',
    offsetMs: 0,
    ...(durationMs === undefined ? {} : { durationMs }),
    what: hop ? summary : lineText(record),
    ...(spanId === undefined ? {} : { spanId }),
    ...(parentSpanId === undefined ? {} : { parentSpanId }),
    ...errorOf(record),
    ...(record['compensation'] === true ? { compensation: true as const } : {}),
    record,
    children: [],
  };
  // Hop lines are written when the hop ends: it started its duration earlier.
  return { node, start: (Number.isFinite(time) ? time : 0) - (durationMs ?? 0) };
}

function lineText(record: LogRecord): string {
  const message = String(record['msg'] ?? '');
  const errorMessage = fieldOf(record, 'err.message');
  return typeof errorMessage === 'string' && !message.includes(errorMessage) ? `${message}: ${errorMessage}` : message;
}

function errorOf(record: LogRecord): { error?: string } {
  if (isErrorLevel(record)) return { error: lineText(record) };
  const status = numberField(record, 'status');
  if (record['kind'] === 'http.client' && record['error'] !== undefined) return { error: String(record['error']) };
  if ((record['kind'] === 'http.server' || record['kind'] === 'http.client') && status !== undefined && status >= 500)
    return { error: `status ${status}` };
  if (record['kind'] === 'event.consumed' && record['outcome'] === 'failed') return { error: 'handler failed' };
  if (record['kind'] === 'event.dead-lettered') return { error: `dead-lettered: ${String(record['reason'])}` };
  return {};
}

function sortByStart(placed: readonly Placed[]): Placed[] {
  return [...placed].sort((a, b) => a.start - b.start);
}

function flatten(node: TraceNode): TraceNode[] {
  return [node, ...node.children.flatMap(flatten)];
}

/** The timeline as text: one line per node, children indented under their parent. */
export function formatTrace(trace: Trace): string {
  const all = trace.roots.flatMap(flatten);
  const depthOf = (node: TraceNode): number => 1 + Math.max(0, ...node.children.map(depthOf));
  // Indented service names, padded so that the kind and what columns line up at every depth.
  const treeWidth =
    Math.max(...all.map((node) => node.service.length)) + 2 * (Math.max(...trace.roots.map(depthOf)) - 1);
  const kindWidth = Math.max(...all.map((node) => node.kind.length));
  const offsetWidth = Math.max(...all.map((node) => formatOffset(node.offsetMs).length));
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const header = [
    `trace ${trace.correlationId}`,
    `${trace.start}`,
    `${count(trace.services.length, 'service')} (${trace.services.join(', ')})`,
    count(trace.lines, 'line'),
    `${formatOffset(trace.durationMs).slice(1)} in all`,
    ...(trace.errors > 0 ? [count(trace.errors, 'error')] : []),
    ...(trace.compensations > 0 ? [count(trace.compensations, 'compensation')] : []),
    ...(trace.orphans > 0 ? [count(trace.orphans, 'orphan')] : []),
  ].join(' · ');
  const rows: string[] = [header, ''];
  const write = (node: TraceNode, depth: number) => {
    const marks = [
      ...(node.durationMs === undefined ? [] : [`(${formatOffset(node.durationMs).slice(1)})`]),
      ...(node.error === undefined ? [] : [node.error === node.what ? '✗' : `✗ ${node.error}`]),
      ...(node.compensation ? ['↺ compensation'] : []),
      ...(node.orphanOf === undefined
        ? []
        : [`— orphan: its parent span ${node.orphanOf} is in none of these lines (the caller's logs are missing)`]),
    ];
    rows.push(
      [
        formatOffset(node.offsetMs).padStart(offsetWidth),
        `${'  '.repeat(depth)}${node.service}`.padEnd(treeWidth),
        node.kind.padEnd(kindWidth),
        node.what,
        ...marks,
      ].join('  '),
    );
    for (const child of node.children) write(child, depth + 1);
  };
  for (const root of trace.roots) write(root, 0);
  return rows.join('\n');
}

/** `+12ms`, `+1.25s`, `+0.4ms`. */
function formatOffset(ms: number): string {
  if (Math.abs(ms) < 10) return `+${(Math.round(ms * 10) / 10).toString()}ms`;
  if (Math.abs(ms) < 1000) return `+${Math.round(ms)}ms`;
  return `+${(ms / 1000).toFixed(2)}s`;
}
