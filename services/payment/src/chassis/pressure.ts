// Platform-owned: load shedding under pressure. Changes come from templates/service on upgrade, not by hand.
import underPressure from '@fastify/under-pressure';
import type { Config } from './config';
import { unencapsulated } from './plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Read by @fastify/under-pressure per route (documented in its README, not in its types). */
    pressureHandler?: () => void;
  }
}

/**
 * Load shedding: while the event loop lags or memory is over its threshold, requests get 503 with Retry-After
 * (through the error handler, so the body has the usual shape). Register after `correlation`, before routes.
 */
export const pressure = unencapsulated('pressure', async (app, thresholds: Config['pressure']) => {
  // 'interval' measures utilization per sample; the default is the average since start-up.
  await app.register(underPressure, { ...thresholds, eventLoopUtilizationMode: 'interval' });
});

/**
 * Route config for endpoints that must answer under pressure (liveness: a busy process must not be restarted;
 * metrics: that's when they matter). A route-level pressureHandler that sends nothing lets the request through.
 */
export const servedUnderPressure = { pressureHandler: () => undefined };
