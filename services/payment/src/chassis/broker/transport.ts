// Platform-owned: how events travel between services. Changes come from templates/service on upgrade, not by hand.
import type { EventEnvelope } from '../events';
import type { ReadinessCheck } from '../health';

/** Where events are published and where consumers receive them: in this process, or through the broker. */
export interface EventTransport {
  /**
   * Resolves once the event is safe: handled by every in-process subscription, or stored by the broker (its
   * acknowledgement received). Rejects otherwise: the caller decides whether to fail or retry.
   */
  publish(event: EventEnvelope): Promise<void>;
  /** Delivers every event of `subscription.eventType` to it, at least once. One subscription per event type. */
  subscribe(subscription: EventSubscription): void;
}

/**
 * One event type a service consumes (src/subscriptions.ts lists them). The transport checks each delivered message
 * with `problems` (a bad envelope goes to the dead letters and never reaches `handle`), skips event ids this process
 * has already processed, and runs `handle` in the event's correlation context. Delivery is at least once: after a
 * crash or a lost acknowledgement an event comes again, so `handle` must be idempotent by `event.id`.
 */
export interface EventSubscription<Event extends EventEnvelope = EventEnvelope> {
  /** The CloudEvents type, e.g. `com.musiccorp.catalog.item-created`. */
  eventType: string;
  /** Why `message` is not a valid event of this type; empty when it is one. */
  problems(message: unknown): string[];
  /** What the service does with the event; throwing means "not done": it is delivered again later. */
  handle(event: Event): Promise<void> | void;
}

/** The transport main.ts runs: readiness checks for /health/ready, started before listening, closed on shutdown. */
export interface ServiceEventTransport extends EventTransport {
  readonly readinessChecks: readonly ReadinessCheck[];
  /** Connects and starts consuming, in the background: readiness says when it is done. */
  start(): void;
  /** Stops taking deliveries, lets the ones in progress finish and settle, then disconnects. */
  close(): Promise<void>;
}

export function duplicateSubscription(eventType: string): Error {
  return new Error(
    `${eventType} is subscribed to twice: a service has one subscription per event type (one durable consumer on the broker); list it once in src/subscriptions.ts.`,
  );
}
