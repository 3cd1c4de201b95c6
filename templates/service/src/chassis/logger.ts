// Platform-owned: JSON logger. Changes come from templates/service on upgrade, not by hand.
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config';
import { currentContext } from './correlation';
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

export interface LoggerOptions {
  level: LogLevel;
  /** Where JSON lines go (tests pass an in-memory stream). Default: stdout, see stdoutDestination. */
  destination?: DestinationStream;
}

/**
 * Asynchronous and batched: lines are written off the main thread in chunks of at least 4 KiB, and at least every
 * 100 ms. Because of that buffer, every exit path flushes first. Batching also makes flushLogs possible: with
 * minLength 0, SonicBoom's flush(cb) would not wait for the write in flight.
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 });
}

export function createLogger({ level, destination = stdoutDestination() }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service: serviceInfo.name, version: serviceInfo.version },
      formatters: { level: (label) => ({ level: label }) },
      redact: REDACTED_PATHS,
      // Whichever logger writes the line, work done for a request or event carries its correlation id.
      // A fresh object each time: pino merges the log call's fields into it.
      mixin: () => {
        const context = currentContext();
        return context ? { correlationId: context.correlationId } : {};
      },
    },
    destination,
  );
}

/**
 * Writes every buffered line, in order: waits for the write in flight, then writes the rest synchronously.
 * For exits that can wait (graceful shutdown); never resolves while stdout is blocked, so pair it with a deadline.
 */
export async function flushLogs(logger: Logger): Promise<void> {
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  flushLogsSync(logger);
}

/**
 * Writes every buffered line synchronously: the last thing before any exit. A write already in flight still
 * completes during exit (libuv joins its threads), but may land after the lines written here; flushLogs avoids that.
 */
export function flushLogsSync(logger: Logger): void {
  const destination = (logger as unknown as Record<symbol, { flushSync?: () => void }>)[pino.symbols.streamSym];
  destination?.flushSync?.();
}
