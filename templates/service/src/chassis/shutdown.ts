// Platform-owned: graceful shutdown. Changes come from templates/service on upgrade, not by hand.
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { flushLogs, flushLogsSync } from './logger';
import { unencapsulated } from './plugin';

/**
 * Once shutdown begins, every response says `Connection: close`. Node's server.close() only reaps sockets that
 * are idle at that moment; a keep-alive socket whose in-flight response finishes later would hold close() open
 * until the timeout. Closing them also moves keep-alive clients to other instances during the drain delay.
 */
export const closeConnectionsWhenStopping = unencapsulated('close-connections-when-stopping', async (app) => {
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (app.readiness.phase === 'stopping') reply.header('connection', 'close');
    done(null, payload);
  });
});

export interface ShutdownOptions {
  app: FastifyInstance;
  logger: Logger;
  /** From the first signal to a forced exit(1). */
  timeoutMs: number;
  /** How long to keep serving after readiness turns 503, while load balancers take the instance out. */
  drainDelayMs: number;
  /** Injectable for tests. */
  exit?: (code: number) => void;
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
 * Graceful shutdown: readiness 503 at once → optional drain delay → app.close() (stops accepting, lets in-flight
 * requests finish, runs onClose hooks) → exit(0); exit(1) if that outlasts the timeout. Logs are flushed
 * before every exit, because the log destination is asynchronous.
 */
export function createShutdown({
  app,
  logger,
  timeoutMs,
  drainDelayMs,
  exit = process.exit,
}: ShutdownOptions): Shutdown {
  let shuttingDown = false;
  let exited = false;

  function exitWith(code: number): void {
    if (exited) return;
    exited = true;
    flushLogsSync(logger);
    exit(code);
  }

  async function onSignal(signal: NodeJS.Signals): Promise<void> {
    if (shuttingDown) {
      logger.error({ signal }, 'second signal during shutdown: exiting immediately');
      exitWith(128 + constants.signals[signal]);
      return;
    }
    shuttingDown = true;
    app.readiness.stop();
    logger.info({ signal, drainDelayMs, timeoutMs }, 'shutdown started: readiness now answers 503');
    // Not unref'd: if closing hangs with nothing else keeping the process alive, this still decides the exit code.
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out before in-flight requests finished: forcing exit');
      exitWith(1);
    }, timeoutMs);
    try {
      if (drainDelayMs > 0) await sleep(drainDelayMs);
      await app.close();
      if (exited) return;
      logger.info('shutdown complete');
      // Still armed, the deadline covers a blocked stdout.
      await flushLogs(logger);
      exitWith(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      exitWith(1);
    } finally {
      clearTimeout(deadline);
    }
  }

  function onFatalError(error: unknown): void {
    logger.fatal({ err: error }, 'uncaught error: exiting');
    exitWith(1);
  }

  function install(target: NodeJS.EventEmitter = process): void {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) target.on(signal, () => void onSignal(signal));
    target.on('uncaughtException', onFatalError);
    target.on('unhandledRejection', onFatalError);
  }

  return { onSignal, onFatalError, install };
}
