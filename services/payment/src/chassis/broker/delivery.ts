// Platform-owned: what happens to one delivered event. Changes come from templates/service on upgrade, not by hand.
import type { FastifyBaseLogger } from 'fastify';
import { inboundContext, runWithContext } from '../correlation';
import { runInEventContext, type EventEnvelope } from '../events';
import type { EventSubscription } from './transport';

/**
 * Event ids each subscription remembers as processed, newest kept: a redelivery within the last 10,000 events is
 * skipped without running the handler again. The memory is the process's: after a restart (or 10,000 events later)
 * a redelivered event reaches the handler again, which is why handlers must be idempotent by event id.
 */
export const PROCESSED_IDS_KEPT = 10_000;

/** After a failed attempt, the next waits 1 s, 2 s, 4 s, … at most a minute. */
export function retryDelayMs(attempt: number): number {
  return Math.min(1_000 * 2 ** (attempt - 1), 60_000);
}

/** A bounded set: adding beyond the capacity forgets the oldest id. */
export class ProcessedIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }
}

/** One delivery as the transport received it. */
export interface Delivery {
  /** The message body: JSON text, unchecked. */
  payload: string;
  /** 1 for the first delivery, counted by the broker across processes. */
  attempt: number;
  /** Stores the message at the dead-letter destination; rejects when it could not. */
  deadLetter(reason: string): Promise<void>;
}

/** What the transport does with the delivery: acknowledge it, have it delivered again later, or nothing more. */
export type Settlement =
  | { settle: 'ack'; outcome: 'processed' | 'duplicate' }
  | { settle: 'retry'; delayMs: number; error: unknown }
  | { settle: 'dead-lettered'; reason: string };

export interface ConsumerOptions {
  logger: FastifyBaseLogger;
  /** Deliveries, the first included, before a failing event goes to the dead letters. */
  maxDeliver: number;
}

/**
 * One subscription's consumption, the same for every transport: a message that is not a valid envelope goes to the
 * dead letters at once; an event id already processed is acknowledged without running the handler; the handler
 * runs in the event's correlation context; a failure is retried after a delay until `maxDeliver` deliveries, then
 * dead-lettered. Every outcome is one log line (`kind` event.consumed or event.dead-lettered).
 */
export class SubscriptionConsumer {
  private readonly processed = new ProcessedIds(PROCESSED_IDS_KEPT);

  constructor(
    readonly subscription: EventSubscription,
    private readonly options: ConsumerOptions,
  ) {}

  async deliver(delivery: Delivery): Promise<Settlement> {
    let message: unknown;
    try {
      message = JSON.parse(delivery.payload);
    } catch {
      return this.rejectInvalid(undefined, delivery, 'the message is not JSON');
    }
    let problems: string[];
    try {
      problems = this.subscription.problems(message);
    } catch (error) {
      problems = [`checking it failed: ${error instanceof Error ? error.message : String(error)}`];
    }
    if (problems.length > 0) return this.rejectInvalid(message, delivery, `invalid envelope: ${problems.join('; ')}`);
    const event = message as EventEnvelope;
    return runInEventContext(event, () => this.consume(event, delivery));
  }

  private async consume(event: EventEnvelope, delivery: Delivery): Promise<Settlement> {
    const started = performance.now();
    const { logger, maxDeliver } = this.options;
    const consumed = (outcome: 'processed' | 'duplicate' | 'failed', error?: unknown) => {
      const fields = { kind: 'event.consumed', eventType: event.type, eventId: event.id, outcome };
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      if (outcome === 'failed') logger.warn({ ...fields, durationMs, err: error }, 'event handler failed');
      else logger.info({ ...fields, durationMs }, 'event consumed');
    };
    if (this.processed.has(event.id)) {
      consumed('duplicate');
      return { settle: 'ack', outcome: 'duplicate' };
    }
    // The broker delivers up to maxDeliver + 1 times: the extra delivery means every earlier one ended without a
    // settlement (the process died, or its handler outlasted BROKER_ACK_WAIT_MS), so the handler does not run again.
    if (delivery.attempt > maxDeliver) {
      const reason = `delivered ${delivery.attempt - 1} times without being settled: each time the consumer stopped or took longer than BROKER_ACK_WAIT_MS`;
      return this.deadLetter(event, delivery, reason);
    }
    try {
      await this.subscription.handle(event);
    } catch (error) {
      consumed('failed', error);
      if (delivery.attempt < maxDeliver) {
        return { settle: 'retry', delayMs: retryDelayMs(delivery.attempt), error };
      }
      const cause = error instanceof Error ? error.message : String(error);
      return this.deadLetter(event, delivery, `the handler failed on all ${maxDeliver} deliveries; last: ${cause}`);
    }
    this.processed.add(event.id);
    consumed('processed');
    return { settle: 'ack', outcome: 'processed' };
  }

  /** Outside any correlation context unless the message carries a well-formed correlation id. */
  private rejectInvalid(message: unknown, delivery: Delivery, reason: string): Promise<Settlement> {
    const fields = isRecord(message) ? message : {};
    const ids = { type: fields.type, id: fields.id };
    const { correlationid, traceparent, tracestate } = fields;
    if (typeof correlationid !== 'string') return this.deadLetter(ids, delivery, reason);
    const { context, rejected } = inboundContext(correlationid, asString(traceparent), asString(tracestate));
    if (rejected) return this.deadLetter(ids, delivery, reason);
    return runWithContext(context, () => this.deadLetter(ids, delivery, reason));
  }

  /** Stores the message as a dead letter, then logs it; when storing fails, it is delivered again later. */
  private async deadLetter(
    event: { type?: unknown; id?: unknown },
    delivery: Delivery,
    reason: string,
  ): Promise<Settlement> {
    const { logger } = this.options;
    const about = {
      eventType: typeof event.type === 'string' ? event.type : this.subscription.eventType,
      ...(typeof event.id === 'string' ? { eventId: event.id } : {}),
      reason,
    };
    try {
      await delivery.deadLetter(reason);
    } catch (error) {
      logger.error({ ...about, err: error }, 'storing a dead letter failed: the event will be delivered again');
      return { settle: 'retry', delayMs: retryDelayMs(delivery.attempt), error };
    }
    logger.error({ kind: 'event.dead-lettered', ...about }, 'event dead-lettered');
    return { settle: 'dead-lettered', reason };
  }
}

/** The publisher's side of the trace: one line per event the transport accepted. */
export function logPublished(logger: FastifyBaseLogger, event: EventEnvelope): void {
  logger.info({ kind: 'event.published', eventType: event.type, eventId: event.id }, 'event published');
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
