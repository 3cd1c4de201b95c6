// Platform-owned: CloudEvents envelopes. Changes come from templates/service on upgrade, not by hand.
import { randomUUID } from 'node:crypto';
import { currentContext, inboundContext, newContext, outboundTraceparent, runWithContext } from './correlation';
import { serviceInfo } from './service-info';

/**
 * A CloudEvents 1.0 event (structured JSON mode) with the correlation extension and the distributed-tracing one
 * (`traceparent`, and `tracestate` when the trace carries one: W3C Trace Context values, as over HTTP).
 */
export interface EventEnvelope<Data = unknown> {
  specversion: '1.0';
  id: string;
  /** Reverse-DNS, past tense: `com.musiccorp.catalog.item.created`. */
  type: string;
  source: string;
  time: string;
  datacontenttype: 'application/json';
  data: Data;
  correlationid: string;
  traceparent: string;
  tracestate?: string;
}

/**
 * Wraps `data` for publishing, stamped with the current correlation context (a new one outside any request): its
 * `traceparent` names the producing span as the parent, so the consumer's span is that span's child.
 */
export function createEvent<Data>(type: string, data: Data): EventEnvelope<Data> {
  const context = currentContext() ?? newContext();
  return {
    specversion: '1.0',
    id: randomUUID(),
    type,
    source: `urn:musiccorp:service:${serviceInfo.name}`,
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data,
    correlationid: context.correlationId,
    traceparent: outboundTraceparent(context, context.spanId),
    ...(context.tracestate ? { tracestate: context.tracestate } : {}),
  };
}

/**
 * Runs a consumer's handler inside the event's correlation context, so its logs and the calls and events it
 * makes carry the producer's correlation id and trace (its `tracestate` included), in a span of its own whose
 * parentSpanId is the producing span. Malformed ids are replaced and
 * an invalid trace context restarted or dropped, as for HTTP requests.
 */
export function runInEventContext<Data, Result>(
  event: EventEnvelope<Data>,
  handler: (event: EventEnvelope<Data>) => Result,
): Result {
  const { context } = inboundContext(event.correlationid, event.traceparent, event.tracestate);
  return runWithContext(context, () => handler(event));
}
