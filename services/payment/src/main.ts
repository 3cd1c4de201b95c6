// Platform-owned: the service's entry point. Changes come from templates/service on upgrade, not by hand.
import type { Logger } from 'pino';
import { buildApp } from './chassis/app';
import { createEventTransport, useEventTransport } from './chassis/broker';
import { ConfigError, loadConfig } from './chassis/config';
import { createLogger, flushLogsSync, stdoutDestination } from './chassis/logger';
import { createShutdown } from './chassis/shutdown';
import { readinessChecks } from './readiness';
import { routes } from './routes';
import { subscriptions } from './subscriptions';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel, destination: stdoutDestination(config.logOutput) });
  try {
    const events = createEventTransport(config.broker, logger);
    for (const subscription of subscriptions(logger)) events.subscribe(subscription);
    useEventTransport(events);
    const app = await buildApp({
      config,
      logger,
      routes,
      readinessChecks: [...readinessChecks, ...events.readinessChecks],
    });
    // After the listener has closed and the last request is answered (so its events are published): consumers
    // finish the event in hand, and the connection closes.
    app.addHook('onClose', () => events.close());
    createShutdown({ app, logger, ...config.shutdown }).install();
    events.start();
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    failedToStart(error, logger);
  }
}

/**
 * A configuration error (the chassis' own, or one team code raised with readEnv) prints its one line naming the
 * variables, on stderr: before the logger exists, LOG_LEVEL itself may be what is wrong. Anything else is logged.
 */
function failedToStart(error: unknown, logger?: Logger): never {
  const message = error instanceof Error ? error.message : String(error);
  if (logger && !(error instanceof ConfigError)) {
    logger.fatal({ err: error }, 'service failed to start');
  } else {
    process.stderr.write(`${message}\n`);
  }
  // A stalled stdout did not take the fatal line: say it where it can still be read.
  if (logger && flushLogsSync(logger)) process.stderr.write(`service failed to start (stdout stalled): ${message}\n`);
  process.exit(1);
}

main().catch((error: unknown) => failedToStart(error));
