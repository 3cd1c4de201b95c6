// Platform-owned: the chassis' exports. Changes come from templates/service on upgrade, not by hand.
/**
 * What team code (src/routes, src/events, src/readiness.ts) may use from the chassis.
 *
 * Logs: every line written for a request or event carries its correlationId and spanId (parentSpanId too), so
 * `npm run logs -- --correlation=<id>` and `npm run trace -- <id>` find it; log through `request.log` or the app's
 * logger, never console. A line that undoes earlier work (a refund, a released reservation, a cancelled order) says
 * so with `compensation: true`, e.g. `request.log.info({ compensation: true, orderId }, 'payment refunded')`: trace
 * marks it. Errors are logged at `error` level (50) or above, which trace marks too.
 */
export { eventTransport, InProcessTransport, type EventSubscription, type EventTransport } from './broker';
export { ConfigError, decimal, integer, oneOf, readEnv, text } from './config';
export type { PublishedEvent } from './contract';
export { currentContext, type CorrelationContext } from './correlation';
export { HttpError, type ErrorResponse } from './errors';
export { createEvent, runInEventContext, type EventEnvelope } from './events';
export type { ReadinessCheck } from './health';
export { fetchWithContext, type ContextFetchInit } from './outbound-http';
export { serviceInfo } from './service-info';
