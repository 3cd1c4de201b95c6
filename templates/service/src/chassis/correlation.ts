// Platform-owned: correlation ids and trace context. Changes come from templates/service on upgrade, not by hand.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync, randomUUID } from 'node:crypto';
import { unencapsulated } from './plugin';

/**
 * The correlation context of the work in progress (an HTTP request, a consumed event), kept in AsyncLocalStorage
 * so any code — root logger, outbound calls, event producers — can read it without it being passed around.
 */
export interface CorrelationContext {
  readonly correlationId: string;
  /** W3C trace id (32 lowercase hex), continued from an inbound `traceparent` or newly started. */
  readonly traceId: string;
}

export const CORRELATION_HEADER = 'x-correlation-id';
export const TRACEPARENT_HEADER = 'traceparent';
export const MAX_CORRELATION_ID_LENGTH = 128;

const CORRELATION_ID_CHARSET = /^[A-Za-z0-9._:-]+$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}(-.*)?$/;
const ALL_ZEROS = /^0+$/;

const storage = new AsyncLocalStorage<CorrelationContext>();

export function currentContext(): CorrelationContext | undefined {
  return storage.getStore();
}

export function runWithContext<T>(context: CorrelationContext, fn: () => T): T {
  return storage.run(context, fn);
}

export type RejectionReason = 'empty' | 'too_long' | 'invalid_characters';

/** Why an inbound correlation id was replaced. Never holds the raw value, which may be hostile. */
export interface Rejection {
  reason: RejectionReason;
  length: number;
}

export interface InboundContext {
  context: CorrelationContext;
  rejected?: Rejection;
}

/**
 * Builds the context from what a caller sent (HTTP headers, event fields): a well-formed correlation id and
 * trace id are kept, anything else is replaced by new ones.
 */
export function inboundContext(correlationId: string | undefined, traceparent: string | undefined): InboundContext {
  const traceId = traceIdOf(traceparent) ?? newTraceId();
  if (correlationId === undefined) return { context: { correlationId: randomUUID(), traceId } };
  const reason = rejectionReason(correlationId);
  if (reason === undefined) return { context: { correlationId, traceId } };
  return { context: { correlationId: randomUUID(), traceId }, rejected: { reason, length: correlationId.length } };
}

export function newContext(): CorrelationContext {
  return { correlationId: randomUUID(), traceId: newTraceId() };
}

/** A `traceparent` for a call made from `context`: same trace, a new span id for this hop, sampled. */
export function outboundTraceparent(context: CorrelationContext): string {
  return `00-${context.traceId}-${randomHex(8)}-01`;
}

function rejectionReason(correlationId: string): RejectionReason | undefined {
  if (correlationId.length === 0) return 'empty';
  if (correlationId.length > MAX_CORRELATION_ID_LENGTH) return 'too_long';
  return CORRELATION_ID_CHARSET.test(correlationId) ? undefined : 'invalid_characters';
}

/** The trace id of a valid W3C traceparent (https://www.w3.org/TR/trace-context/#traceparent-header). */
function traceIdOf(traceparent: string | undefined): string | undefined {
  const match = traceparent === undefined ? null : TRACEPARENT.exec(traceparent);
  if (!match) return undefined;
  const [, version = '', traceId = '', parentId = '', suffix] = match;
  const valid =
    version !== 'ff' && !(version === '00' && suffix) && !ALL_ZEROS.test(traceId) && !ALL_ZEROS.test(parentId);
  return valid ? traceId : undefined;
}

function newTraceId(): string {
  return randomHex(16);
}

/** Random bytes are drawn 4 KiB at a time, like randomUUID's cache: one system call per 256 trace ids, not one each. */
const entropy = Buffer.allocUnsafe(4096);
let entropyOffset = entropy.length;

function randomHex(bytes: number): string {
  if (entropyOffset + bytes > entropy.length) {
    randomFillSync(entropy);
    entropyOffset = 0;
  }
  entropyOffset += bytes;
  return entropy.toString('hex', entropyOffset - bytes, entropyOffset);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

declare module 'fastify' {
  interface FastifyRequest {
    correlation: CorrelationContext;
  }
}

/**
 * Gives every request its context and echoes the correlation id on every response (set before any handler
 * runs, so 400/404/500 and load-shed 503s carry it too). Register it first: hooks run in registration order.
 * Everything after `done` runs inside the context, body parsing included (Fastify binds its content-type
 * parsers to the request's async context).
 */
export const correlation = unencapsulated('correlation', async (app) => {
  app.decorateRequest('correlation', null, []);

  app.addHook('onRequest', (request, reply, done) => {
    const { context, rejected } = inboundContext(
      headerValue(request.headers[CORRELATION_HEADER]),
      headerValue(request.headers[TRACEPARENT_HEADER]),
    );
    request.correlation = context;
    reply.header(CORRELATION_HEADER, context.correlationId);
    storage.run(context, () => {
      if (rejected) {
        request.log.warn({ rejectedCorrelationId: rejected }, 'rejected inbound x-correlation-id; generated a new one');
      }
      done();
    });
  });
});
