// Platform-owned: one log line per request. Changes come from templates/service on upgrade, not by hand.
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import type { HopKind } from './logger';
import { unencapsulated } from './plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Probe endpoints (health, metrics) log their request line at debug, so kubelet probes don't flood info. */
    probe?: boolean;
  }
}

/** The route pattern (`/items/:id`), never the raw URL: as a metric label, raw URLs would be unbounded. */
export function routePattern(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'not_found';
}

/** The URL path without the query string, which may carry tokens. */
export function requestPath(request: FastifyRequest): string {
  return request.url.split('?', 1)[0] ?? '';
}

/**
 * `request.log` is the root logger itself: no child per request (cheaper) and no `reqId` binding, so the
 * correlation id the mixin adds is the only request id on a line. Routes with their own level or serializers
 * still get a child.
 */
export const requestLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (
  logger,
  _bindings,
  options,
) => (options.level || options.serializers ? logger.child({}, options) : logger);

/**
 * Exactly one line per request, written when the response is sent; Fastify's own two lines are turned off in
 * buildApp. The correlation id and span are passed explicitly: the 'finish' event may fire outside the request's
 * context (an absent parentSpanId is written as none, whatever context the hook runs in).
 */
export const requestLog = unencapsulated('request-log', async (app) => {
  app.addHook('onResponse', (request, reply, done) => {
    const level = request.routeOptions.config.probe ? 'debug' : 'info';
    const kind: HopKind = 'http.server';
    request.log[level](
      {
        correlationId: request.correlation.correlationId,
        traceId: request.correlation.traceId,
        spanId: request.correlation.spanId,
        parentSpanId: request.correlation.parentSpanId,
        kind,
        method: request.method,
        route: routePattern(request),
        path: requestPath(request),
        status: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
      },
      'request completed',
    );
    done();
  });
});
