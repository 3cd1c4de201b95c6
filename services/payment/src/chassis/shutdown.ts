// Platform-owned: graceful shutdown. Changes come from templates/service on upgrade, not by hand.
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { flushLogsSync } from './logger';
import { unencapsulated } from './plugin';

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests received and not yet answered or aborted. */
    readonly inFlightRequests: number;
  }
}

/**
 * Once shutdown begins, every response says `Connection: close`: a keep-alive client learns from its last response
 * that the connection ends, so it never sends on a socket the server is about to close (that race is what resets
 * requests), and during the drain delay it reconnects through the load balancer, to another instance once the
 * endpoint is gone. Node's server.close() closes only the sockets idle at that moment; one whose in-flight
 * response finishes later would hold close() open until the timeout without this header.
 * Also counts the requests in flight, so a shutdown that times out says what it waited for.
 */
export const closeConnectionsWhenStopping = unencapsulated('close-connections-when-stopping', async (app) => {
  let inFlight = 0;
  // 'close' comes once per response, answered or aborted.
  const settled = () => {
    inFlight -= 1;
  };
  app.decorate('inFlightRequests', { getter: () => inFlight });
  app.addHook('onRequest', (_request, reply, done) => {
    inFlight += 1;
    reply.raw.once('close', settled);
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (app.readiness.phase === 'stopping') reply.header('connection', 'close');
    done(null, payload);
  });
});

export interface ShutdownOptions {
  app: FastifyInstance;
  logger: Logger;
  /** From the first signal to a forced exit(1) while closing has not finished; the drain delay counts in it. */
  timeoutMs: number;
  /** After SIGTERM, how long to keep serving while readiness answers 503 and the orchestrator removes the endpoint. */
  drainDelayMs: number;
  /** Injectable for tests. */
  exit?: (code: number) => void;
  /** Where an exit says what stdout did not take (stdout being what stalled). Injectable for tests. */
  writeStderr?: (message: string) => void;
}

export interface Shutdown {
  /** First call: graceful shutdown. Any later call: immediate exit with 128 + the signal number. */
  onSignal(signal: NodeJS.Signals): Promise<void>;
  /** An uncaught exception or unhandled rejection: state may be corrupt, so log it and exit(1) at once. */
  onFatalError(error: unknown): void;
  /** Routes SIGTERM, SIGINT and uncaught errors of `target` (the process) to this shutdown. */
  install(target?: NodeJS.EventEmitter): void;
}

/**
 * Graceful shutdown: readiness 503 at once → the drain delay (SIGTERM only: a Ctrl-C'd terminal has no load balancer
 * to wait for), still serving → app.close() (closes the listener and idle keep-alive sockets, lets in-flight requests
 * finish, runs onClose hooks) → exit(0); exit(1) if closing outlasts the timeout. Every exit first writes the
 * buffered log lines, waiting for stdout at most its flush timeout; if stdout took nothing for that long, the exit
 * says so on stderr and its code is at least 1.
 */
export function createShutdown({
  app,
  logger,
  timeoutMs,
  drainDelayMs,
  exit = process.exit,
  writeStderr = (message) => process.stderr.write(message),
}: ShutdownOptions): Shutdown {
  let shuttingDown = false;
  let exited = false;

  /** `outcome` says on stderr why the process exits, should its last log lines never reach stdout. */
  function exitWith(code: number, outcome: string): void {
    if (exited) return;
    exited = true;
    const unwritten = flushLogsSync(logger);
    if (unwritten) {
      const exitCode = code || 1;
      writeStderr(
        `${outcome}, but stdout accepted no log output for ${unwritten.stalledMs} ms: ${unwritten.lines} log lines (${unwritten.bytes} bytes) not written; exit ${exitCode}\n`,
      );
      exit(exitCode);
      return;
    }
    exit(code);
  }

  async function onSignal(signal: NodeJS.Signals): Promise<void> {
    if (shuttingDown) {
      logger.error({ signal }, 'second signal during shutdown: exiting immediately');
      exitWith(128 + constants.signals[signal], `second signal (${signal}) during shutdown`);
      return;
    }
    shuttingDown = true;
    app.readiness.stop();
    const drainMs = signal === 'SIGINT' ? 0 : drainDelayMs;
    logger.info({ signal, drainDelayMs: drainMs, timeoutMs }, 'shutdown started: readiness now answers 503');
    // Not unref'd: if closing hangs with nothing else keeping the process alive, this still decides the exit code.
    const deadline = setTimeout(() => {
      const inFlightRequests = app.inFlightRequests;
      const outcome =
        inFlightRequests > 0
          ? 'shutdown timed out before in-flight requests finished'
          : 'shutdown timed out in onClose hooks, with no request in flight';
      logger.error({ timeoutMs, inFlightRequests }, `${outcome}: forcing exit`);
      exitWith(1, outcome);
    }, timeoutMs);
    try {
      if (drainMs > 0) await sleep(drainMs);
      await app.close();
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      exitWith(1, 'shutdown failed');
      return;
    } finally {
      // The deadline is for closing; writing the logs afterwards has its own bound.
      clearTimeout(deadline);
    }
    if (exited) return;
    logger.info('shutdown complete');
    exitWith(0, 'shutdown complete');
  }

  function onFatalError(error: unknown): void {
    logger.fatal({ err: error }, 'uncaught error: exiting');
    exitWith(1, `uncaught error (${error instanceof Error ? error.message : String(error)})`);
  }

  function install(target: NodeJS.EventEmitter = process): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) target.on(signal, () => void onSignal(signal));
    target.on('uncaughtException', onFatalError);
    target.on('unhandledRejection', onFatalError);
  }

  return { onSignal, onFatalError, install };
}
