// Platform-owned: fetch for calls to other services. Changes come from templates/service on upgrade, not by hand.
import {
  CORRELATION_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  currentContext,
  newContext,
  outboundTraceparent,
} from './correlation';

const DEFAULT_TIMEOUT_MS = 5_000;

export interface ContextFetchInit extends RequestInit {
  /** Aborts the call (headers and body) after this long. Default 5000 ms. */
  timeoutMs?: number;
}

/**
 * `fetch` for calls to other services: adds `x-correlation-id`, a W3C `traceparent` (same trace, a new span of ours
 * as the parent) and the caller's `tracestate` from the current context — or from a new one outside any request —
 * and always has a timeout. Headers the caller sets explicitly are kept; a caller's own `traceparent` is a trace
 * context of its own, so no `tracestate` is added to it.
 */
export function fetchWithContext(url: string | URL, init: ContextFetchInit = {}): Promise<Response> {
  const { timeoutMs = DEFAULT_TIMEOUT_MS, ...requestInit } = init;
  const context = currentContext() ?? newContext();
  const headers = new Headers(requestInit.headers);
  if (!headers.has(CORRELATION_HEADER)) headers.set(CORRELATION_HEADER, context.correlationId);
  if (!headers.has(TRACEPARENT_HEADER)) {
    headers.set(TRACEPARENT_HEADER, outboundTraceparent(context));
    if (context.tracestate && !headers.has(TRACESTATE_HEADER)) headers.set(TRACESTATE_HEADER, context.tracestate);
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = requestInit.signal ? AbortSignal.any([requestInit.signal, timeout]) : timeout;
  return fetch(url, { ...requestInit, headers, signal });
}
