/**
 * The readable form of a line: `13:05:09.123 catalog   INFO  request completed [order-42] GET /items/7 → 200 3.1ms`,
 * then the line's other fields as `name=value`. Times are UTC, like the lines' own. A line that is not JSON is shown
 * as it is, under its file's service.
 */
import { levelName, levelOf, numberField, stringField, type LogRecord } from './log-record';
import type { LogEntry } from './scan';

/** Said by every line, or by the summary in front: not repeated among the other fields. */
const SHOWN = new Set([
  'time',
  'level',
  'msg',
  'service',
  'version',
  'pid',
  'hostname',
  'correlationId',
  'traceId',
  'spanId',
  'parentSpanId',
  'kind',
  'method',
  'route',
  'path',
  'url',
  'status',
  'durationMs',
  'eventType',
  'eventId',
  'outcome',
  'reason',
  'error',
]);
const MAX_FIELD_CHARACTERS = 120;

/** `paint` may colour the service's padded name (npm run dev gives each service a colour). */
export function formatEntry(
  entry: LogEntry,
  serviceWidth: number,
  paint: (paddedService: string) => string = (padded) => padded,
): string {
  const { record } = entry;
  if (!record) {
    const service = paint((entry.source.service ?? entry.source.label).padEnd(serviceWidth));
    return `${'·'.padEnd(12)} ${service} TEXT  ${entry.text}`;
  }
  const time = Number.isFinite(entry.time) ? new Date(entry.time).toISOString().slice(11, 23) : '?'.padEnd(12);
  const service = paint((stringField(record, 'service') ?? entry.source.service ?? '?').padEnd(serviceWidth));
  const level = levelName(levelOf(record)).toUpperCase().padEnd(5);
  const correlation = stringField(record, 'correlationId');
  const parts = [
    `${time} ${service} ${level} ${String(record['msg'] ?? '')}`,
    ...(correlation === undefined ? [] : [`[${correlation}]`]),
    ...hopSummary(record),
    ...otherFields(record),
  ];
  return parts.join(' ');
}

/** What a hop line (see the chassis' HopKind) is about, in words: `GET /items/7 → 200 3.1ms`. */
export function hopSummary(record: LogRecord): string[] {
  const duration = numberField(record, 'durationMs');
  const took = duration === undefined ? [] : [formatMs(duration)];
  const outcome = record['status'] ?? (record['error'] === undefined ? undefined : `✗ ${String(record['error'])}`);
  switch (record['kind']) {
    case 'http.server':
      return [`${str(record['method'])} ${str(record['path'] ?? record['route'])} → ${str(record['status'])}`, ...took];
    case 'http.client':
      return [`${str(record['method'])} ${str(record['url'])} → ${str(outcome)}`, ...took];
    case 'event.published':
      return [`published ${str(record['eventType'])}`];
    case 'event.consumed':
      return [`consumed ${str(record['eventType'])} → ${str(record['outcome'])}`, ...took];
    case 'event.dead-lettered':
      return [`dead-lettered ${str(record['eventType'])}: ${str(record['reason'])}`];
    default:
      return [];
  }
}

function otherFields(record: LogRecord): string[] {
  return Object.entries(record)
    .filter(([name]) => !SHOWN.has(name))
    .map(([name, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${name}=${text.length > MAX_FIELD_CHARACTERS ? `${text.slice(0, MAX_FIELD_CHARACTERS)}…` : text}`;
    });
}

/** `3.1ms`, `412ms`, `2.35s`. */
export function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(2)}s`;
}

function str(value: unknown): string {
  return value === undefined ? '?' : typeof value === 'string' ? value : JSON.stringify(value);
}
