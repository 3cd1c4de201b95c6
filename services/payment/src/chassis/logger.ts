// Platform-owned: JSON logger. Changes come from templates/service on upgrade, not by hand.
import type { FastifyBaseLogger } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { LogLevel } from './config';
import { currentContext } from './correlation';
import { LogDestination, type LogDestinationOptions, type Unwritten } from './log-destination';
import { serviceInfo } from './service-info';

const SENSITIVE_HEADERS = ['authorization', 'Authorization', 'cookie', 'Cookie', 'set-cookie', 'Set-Cookie'];
/** Where HTTP code puts header objects in what it logs. */
const HEADER_OBJECTS = [
  'headers',
  'req.headers',
  'res.headers',
  'request.headers',
  'response.headers',
  'err.headers',
  'err.request.headers',
  'err.response.headers',
  'err.config.headers',
];

/**
 * Credentials are censored in those header objects. Explicit paths on purpose: a leading wildcard (`*.headers…`)
 * makes redaction walk every logged object, 20-40 µs per line instead of about 1.
 */
const REDACTED_PATHS = HEADER_OBJECTS.flatMap((headers) => SENSITIVE_HEADERS.map((name) => `${headers}["${name}"]`));

/**
 * The `kind` of a line that records one hop of a request, from which `npm run trace` nests a request's timeline
 * across services (parentSpanId → spanId). Every such line has `correlationId`, `spanId` and, unless the trace
 * started there, `parentSpanId`:
 * - `http.server`: the request line (request-log.ts): method, route, path, status, durationMs.
 * - `http.client`: one per fetchWithContext call, when it completes or fails: method, url (no query string), status
 *   or error, durationMs; its spanId is the child span sent in `traceparent`, its parentSpanId the caller's span.
 * - `event.published`: eventType, eventId; spanId is the producing span (the parent-id of the event's traceparent).
 * - `event.consumed`: eventType, eventId, durationMs, outcome; written in the consumer's context, whose
 *   parentSpanId is the producing span.
 * - `event.dead-lettered`: eventType, eventId, reason.
 */
export type HopKind = 'http.server' | 'http.client' | 'event.published' | 'event.consumed' | 'event.dead-lettered';

export interface LoggerOptions {
  level: LogLevel;
  /** Where JSON lines go: stdoutDestination in the service, an in-memory stream in tests. */
  destination: DestinationStream;
}

/**
 * Stdout, batched per event-loop turn, with bounded memory (see LogDestination). Node opens a pipe or socket stdout
 * through libuv, which puts the fd in non-blocking mode: a reader that stops reading then answers EAGAIN instead of
 * blocking a thread in write(), which would also hang process.exit (it joins libuv's threads).
 */
export function stdoutDestination(bounds: Omit<LogDestinationOptions, 'fd'>): LogDestination {
  void process.stdout;
  return new LogDestination({ fd: 1, ...bounds });
}

export function createLogger({ level, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service: serviceInfo.name, version: serviceInfo.version },
      formatters: { level: (label) => ({ level: label }) },
      redact: REDACTED_PATHS,
      // Whichever logger writes the line, work done for a request or event carries its correlation id and span.
      // A fresh object each time: pino merges the log call's fields into it (theirs win).
      mixin: () => {
        const context = currentContext();
        if (!context) return {};
        const { correlationId, spanId, parentSpanId } = context;
        return parentSpanId === undefined ? { correlationId, spanId } : { correlationId, spanId, parentSpanId };
      },
    },
    destination,
  );
}

/**
 * Writes every buffered line, in order, waiting while stdout accepts bytes: the last thing before any exit. Bounded:
 * once stdout has accepted nothing for the destination's flush timeout, returns what is left unwritten.
 */
export function flushLogsSync(logger: FastifyBaseLogger): Unwritten | undefined {
  return destinationOf(logger)?.flushSync?.() ?? undefined;
}

/** Lines the destination had to give up on (0 for one that never drops). */
export function droppedLogLines(logger: FastifyBaseLogger): number {
  const destination = destinationOf(logger);
  return destination instanceof LogDestination ? destination.droppedLines : 0;
}

/** `log_lines_dropped_total` on the app's registry: no line is ever dropped without a metric saying so. */
export function registerLogMetrics(registry: Registry, logger: FastifyBaseLogger): void {
  new Counter({
    name: 'log_lines_dropped_total',
    help: 'Log lines dropped because stdout accepted nothing for LOG_FLUSH_TIMEOUT_MS while the log buffer was full',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(droppedLogLines(logger));
    },
  });
}

/** The destination of the logger, or of any child of it. */
function destinationOf(logger: FastifyBaseLogger): FlushableDestination | undefined {
  return (logger as unknown as Record<symbol, FlushableDestination | undefined>)[pino.symbols.streamSym];
}

/** LogDestination, or another stream pino writes to (tests' in-memory one); flushSync is optional for pino. */
interface FlushableDestination {
  flushSync?: () => Unwritten | undefined | void;
}
