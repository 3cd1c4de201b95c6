// Platform-owned: the chassis' exports. Changes come from templates/service on upgrade, not by hand.
/** What team code (src/routes, src/events, src/readiness.ts) may use from the chassis. */
export { ConfigError, decimal, integer, oneOf, readEnv, text } from './config';
export { currentContext, type CorrelationContext } from './correlation';
export { HttpError, type ErrorResponse } from './errors';
export { createEvent, runInEventContext, type EventEnvelope } from './events';
export type { ReadinessCheck } from './health';
export { fetchWithContext, type ContextFetchInit } from './outbound-http';
export { serviceInfo } from './service-info';
