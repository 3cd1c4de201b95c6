// Platform-owned: the service's entry point. Changes come from templates/service on upgrade, not by hand.
import type { Logger } from 'pino';
import { buildApp } from './chassis/app';
import { ConfigError, loadConfig } from './chassis/config';
import { createLogger, flushLogsSync } from './chassis/logger';
import { createShutdown } from './chassis/shutdown';
import { readinessChecks } from './readiness';
import { routes } from './routes';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  try {
    const app = await buildApp({ config, logger, routes, readinessChecks });
    createShutdown({ app, logger, ...config.shutdown }).install();
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
  if (logger && !(error instanceof ConfigError)) {
    logger.fatal({ err: error }, 'service failed to start');
  } else {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  }
  if (logger) flushLogsSync(logger);
  process.exit(1);
}

main().catch((error: unknown) => failedToStart(error));
