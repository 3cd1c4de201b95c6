// Platform-owned: fetch for calls to other services. Changes come from templates/service on upgrade, not by hand.
import type { FastifyBaseLogger } from 'fastify';
import {
  CORRELATION_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  currentContext,
  newContext,
  newSpanId,
  outboundTraceparent,
} from './correlation';
import type { HopKind } from './logger';

const DEFAULT_TIMEOUT_MS = 5_000;

export interface ContextFetchInit extends RequestInit {
  /** Aborts the call (headers and body) after this long. Default 5000 ms. */
  timeoutMs?: number;
}

/** Where fetchWithContext writes its `http.client` lines: the app's logger, set by buildApp; none before. */
let callLog: FastifyBaseLogger | undefined;

/** Makes fetchWithContext log each call to `logger` (buildApp passes the app's; the last app built wins). */
export function logOutboundCallsTo(logger: FastifyBaseLogger): void {
  callLog = logger;
}

/**
 * `fetch` for calls to other services: adds `x-correlation-id`, a W3C `traceparent` (same trace, a new child span of
 * the caller's as the parent) and the caller's `tracestate` from the current context — or from a new one outside any
 * request — and always has a timeout. Headers the caller sets explicitly are kept; a caller's own `traceparent` is a
 * trace context of its own, so no `tracestate` is added to it, and its line names no span of ours.
 *
 * Each call writes one `http.client` line (see HopKind) once the response headers arrive or the call fails.
 */
export function fetchWithContext(url: string | URL, init: ContextFetchInit = {}): Promise<Response> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, ...requestInit } = init;
  const current = currentContext();
  const context = current ?? newContext();
  const headers = new Headers(requestInit.headers);
  if (!headers.has(CORRELATION_HEADER)) headers.set(CORRELATION_HEADER, context.correlationId);
  let spanId: string | undefined;
  if (!headers.has(TRACEPARENT_HEADER)) {
    spanId = newSpanId();
    headers.set(TRACEPARENT_HEADER, outboundTraceparent(context, spanId));
    if (context.tracestate && !headers.has(TRACESTATE_HEADER)) headers.set(TRACESTATE_HEADER, context.tracestate);
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = requestInit.signal ? AbortSignal.any([requestInit.signal, timeout]) : timeout;
  const started = performance.now();
  const call = fetch(url, { ...requestInit, headers, signal });
  const logger = callLog;
  if (!logger) return call;

  const kind: HopKind = 'http.client';
  // Explicit, whatever context the promise settles in; an undefined field is written as none (pino skips it).
  const fields = {
    correlationId: context.correlationId,
    traceId: context.traceId,
    spanId,
    parentSpanId: current?.spanId,
    kind,
    method: (requestInit.method ?? 'GET').toUpperCase(),
    url: withoutQuery(url),
  };
  const durationMs = () => Math.round((performance.now() - started) * 1000) / 1000;
  return call.then(
    (response) => {
      logger.info({ ...fields, status: response.status, durationMs: durationMs() }, 'http call completed');
      return response;
    },
    (error: unknown) => {
      logger.warn({ ...fields, error: describeFailure(error), durationMs: durationMs() }, 'http call failed');
      throw error;
    },
  );
}

/** Origin and path only: a query string or credentials in the URL may carry secrets. */
function withoutQuery(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return String(url).split(/[?#]/, 1)[0] ?? '';
  }
}

/** `TimeoutError: …`, or `TypeError: fetch failed (ECONNREFUSED)`: undici puts the network error in `cause`. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return `${error.name}: ${error.message}${code}`;
}
