// Platform-owned: builds the Fastify app. Changes come from templates/service on upgrade, not by hand.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config';
import { correlation } from './correlation';
import { errors } from './errors';
import { health, type ReadinessCheck } from './health';
import { metrics } from './metrics';
import { logOutboundCallsTo } from './outbound-http';
import { pressure } from './pressure';
import { requestLog, requestLoggerFactory } from './request-log';
import { closeConnectionsWhenStopping } from './shutdown';

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** The service's business routes (src/routes). */
  routes: FastifyPluginAsync;
  /** Checks /health/ready runs (src/readiness.ts). */
  readinessChecks?: readonly ReadinessCheck[];
}

/** The chassis around the team's routes. Order matters: hooks run in the order their plugins register. */
export async function buildApp({ config, logger, routes, readinessChecks = [] }: AppOptions): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({
    loggerInstance,
    childLoggerFactory: requestLoggerFactory,
    // request-log writes one line per request instead of Fastify's "incoming request" + "request completed".
    logController: new LogController({ disableRequestLogging: true }),
    // Reject unknown properties (additionalProperties: false → 400) instead of silently dropping them.
    ajv: { customOptions: { removeAdditional: false } },
    // Shutdown (shutdown.ts): close() closes idle keep-alive sockets at once, and serves a request that still
    // arrives on an open connection (with `Connection: close`) instead of answering it 503.
    forceCloseConnections: 'idle',
    return503OnClosing: false,
  });
  // fetchWithContext is a plain function team code imports: it learns the logger for its http.client lines here.
  logOutboundCallsTo(loggerInstance);
  await app.register(correlation);
  await app.register(requestLog);
  await app.register(metrics);
  await app.register(errors);
  await app.register(pressure, config.pressure);
  await app.register(health, { checks: readinessChecks });
  await app.register(closeConnectionsWhenStopping);
  await app.register(routes);
  return app;
}
