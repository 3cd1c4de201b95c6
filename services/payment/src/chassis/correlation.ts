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
  /** This unit of work's span (16 lowercase hex): a new one for each inbound request and each consumed event. */
  readonly spanId: string;
  /**
   * The span that caused this one: the parent-id of the inbound `traceparent` (the caller's span for this call, or
   * the span that produced the event). Absent when the trace starts here.
   */
  readonly parentSpanId?: string;
  /** The `sampled` trace flag: the caller's as received, set for a trace started here (its log lines record it). */
  readonly sampled: boolean;
  /** The caller's W3C `tracestate`, checked and without optional whitespace; absent when none or an invalid one came. */
  readonly tracestate?: string;
}

export const CORRELATION_HEADER = 'x-correlation-id';
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';
export const MAX_CORRELATION_ID_LENGTH = 128;
/** W3C Trace Context: at most 32 list-members; more makes the whole `tracestate` invalid. */
export const MAX_TRACESTATE_MEMBERS = 32;
/**
 * The longest `tracestate` passed on (commas included): the spec's "SHOULD propagate at least 512 characters". A longer
 * one loses whole entries, those over 128 characters first, then from the end (the spec's truncation rule).
 */
export const MAX_TRACESTATE_LENGTH = 512;
const LONG_TRACESTATE_ENTRY = 128;

const CORRELATION_ID_CHARSET = /^[A-Za-z0-9._:-]+$/;
/** version-trace_id-parent_id-flags, then (versions above 00 only) more fields after a dash. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;
const SAMPLED_FLAG = 0x01;
/** HTTP's optional whitespace (RFC 7230 OWS) around a header value or a tracestate list-member. */
const OWS = /^[ \t]+|[ \t]+$/g;
/** A simple key (starts with a-z, at most 256) or a multi-tenant `tenant@system` one (at most 241 and 14). */
const TRACESTATE_KEY = /^(?:[a-z][a-z0-9_*/-]{0,255}|[a-z0-9][a-z0-9_*/-]{0,240}@[a-z][a-z0-9_*/-]{0,13})$/;
/** 1 to 256 printable ASCII characters but `,` and `=`, not ending in a space. */
const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

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
 * trace context are kept, anything else is replaced by new ones. The work gets a span of its own, whose parent is
 * the `traceparent`'s parent-id (none when the trace starts here). A `tracestate` is read only with a valid
 * `traceparent` (the spec: a trace restarted here drops it); an invalid one is dropped, the trace still continues.
 */
export function inboundContext(
  correlationId: string | undefined,
  traceparent: string | undefined,
  tracestate?: string,
): InboundContext {
  const trace = parseTraceparent(traceparent);
  const members = trace ? parseTracestate(tracestate) : undefined;
  const passedOn = members ? truncateTracestate(members) : '';
  const traceContext = trace
    ? {
        traceId: trace.traceId,
        spanId: newSpanId(),
        parentSpanId: trace.parentId,
        sampled: trace.sampled,
        ...(passedOn ? { tracestate: passedOn } : {}),
      }
    : newTrace();
  if (correlationId === undefined) return { context: { correlationId: randomUUID(), ...traceContext } };
  const reason = rejectionReason(correlationId);
  if (reason === undefined) return { context: { correlationId, ...traceContext } };
  return {
    context: { correlationId: randomUUID(), ...traceContext },
    rejected: { reason, length: correlationId.length },
  };
}

export function newContext(): CorrelationContext {
  return { correlationId: randomUUID(), ...newTrace() };
}

/** A new span id (16 lowercase hex): an outbound call's own span, a child of the caller's. */
export function newSpanId(): string {
  return randomHex(8);
}

/**
 * A `traceparent` for a call or event made from `context`: version 00, the same trace, `parentId` as the parent id
 * (a call's own child span, or the producing span for an event; never the caller's parent id passed on), the
 * sampled flag kept, other flags zero.
 */
export function outboundTraceparent(context: CorrelationContext, parentId: string): string {
  return `00-${context.traceId}-${parentId}-${context.sampled ? '01' : '00'}`;
}

function rejectionReason(correlationId: string): RejectionReason | undefined {
  if (correlationId.length === 0) return 'empty';
  if (correlationId.length > MAX_CORRELATION_ID_LENGTH) return 'too_long';
  return CORRELATION_ID_CHARSET.test(correlationId) ? undefined : 'invalid_characters';
}

/**
 * The trace id, parent id and sampled flag of a valid `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header).
 * Version ff is invalid; 00 has exactly four fields; a higher version is read by the spec's rules for versions it
 * does not know: its first four fields as 00's, then only a dash may follow, and what follows is ignored.
 */
function parseTraceparent(
  traceparent: string | undefined,
): { traceId: string; parentId: string; sampled: boolean } | undefined {
  // typeof, not undefined: event fields arrive as JSON, whatever their declared type.
  const match = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent.replace(OWS, '')) : null;
  if (!match) return undefined;
  const [, version = '', traceId = '', parentId = '', flags = '', moreFields] = match;
  const valid =
    version !== 'ff' &&
    !(version === '00' && moreFields !== undefined) &&
    !ALL_ZEROS.test(traceId) &&
    !ALL_ZEROS.test(parentId);
  return valid ? { traceId, parentId, sampled: (Number.parseInt(flags, 16) & SAMPLED_FLAG) !== 0 } : undefined;
}

/**
 * The list-members (`key=value`, optional whitespace removed) of a `tracestate`, or undefined when it is invalid:
 * a key or value outside the spec's grammar, a key twice, or more than 32 members. Empty members are skipped (the
 * spec allows them, e.g. from an empty header among several).
 */
function parseTracestate(tracestate: string | undefined): string[] | undefined {
  if (typeof tracestate !== 'string') return undefined;
  const members = tracestate
    .split(',')
    .map((member) => member.replace(OWS, ''))
    .filter((member) => member !== '');
  if (members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  const keys = new Set<string>();
  for (const member of members) {
    const equals = member.indexOf('=');
    const key = member.slice(0, equals);
    if (equals < 0 || !TRACESTATE_KEY.test(key) || !TRACESTATE_VALUE.test(member.slice(equals + 1))) return undefined;
    if (keys.has(key)) return undefined;
    keys.add(key);
  }
  return members;
}

/**
 * Joined, within MAX_TRACESTATE_LENGTH: whole entries go, those over 128 characters first, then from the end. Empty
 * when nothing is left (the spec: vendors SHOULD avoid sending an empty tracestate).
 */
function truncateTracestate(members: string[]): string {
  const kept = [...members];
  const length = () => kept.reduce((sum, member) => sum + member.length, kept.length - 1);
  for (let index = kept.length - 1; index >= 0 && length() > MAX_TRACESTATE_LENGTH; index -= 1) {
    if ((kept[index]?.length ?? 0) > LONG_TRACESTATE_ENTRY) kept.splice(index, 1);
  }
  while (length() > MAX_TRACESTATE_LENGTH) kept.pop();
  return kept.join(',');
}

/** A trace started here, its first span ours: sampled, since this service records every request in its log line. */
function newTrace(): { traceId: string; spanId: string; sampled: boolean } {
  return { traceId: randomHex(16), spanId: newSpanId(), sampled: true };
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
      headerValue(request.headers[TRACESTATE_HEADER]),
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
