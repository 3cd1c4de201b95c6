// Platform-owned: events delivered inside the process. Changes come from templates/service on upgrade, not by hand.
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import type { EventEnvelope } from '../events';
import { logPublished, SubscriptionConsumer, type Settlement } from './delivery';
import { duplicateSubscription, type EventSubscription, type ServiceEventTransport } from './transport';

export interface DeadLetter {
  /** The subscription's event type. */
  eventType: string;
  /** The message as it was delivered. */
  payload: string;
  reason: string;
}

export interface InProcessOptions {
  /** Where the event.* lines go; none by default (unit tests that do not look at them). */
  logger?: FastifyBaseLogger;
}

/** The newest dead letters kept for inspection; every one is also an error line in the log. */
const DEAD_LETTERS_KEPT = 100;

/**
 * The embedded transport: no broker, for unit tests and for a service without BROKER_URL. Each subscription gets
 * the event as the JSON a broker would carry (parsed again, never the publisher's object) through the same checks,
 * deduplication and log lines as with the broker. There is no redelivery: `publish` settles when every
 * subscription has, and rejects when one failed or dead-lettered the event, so the publisher learns at once.
 */
export class InProcessTransport implements ServiceEventTransport {
  readonly readinessChecks = [];
  /** The newest dead letters, oldest first. */
  readonly deadLetters: DeadLetter[] = [];
  private readonly consumers = new Map<string, SubscriptionConsumer>();
  private readonly logger: FastifyBaseLogger;

  constructor({ logger = pino({ level: 'silent' }) }: InProcessOptions = {}) {
    this.logger = logger;
  }

  subscribe(subscription: EventSubscription): void {
    if (this.consumers.has(subscription.eventType)) throw duplicateSubscription(subscription.eventType);
    // No delivery is the last: a failing handler is not dead-lettered here, its error goes back to the publisher.
    const options = { logger: this.logger, maxDeliver: Number.POSITIVE_INFINITY };
    this.consumers.set(subscription.eventType, new SubscriptionConsumer(subscription, options));
  }

  async publish(event: EventEnvelope): Promise<void> {
    logPublished(this.logger, event);
    const consumer = this.consumers.get(event.type);
    if (!consumer) return;
    const payload = JSON.stringify(event);
    const settlement = await consumer.deliver({
      payload,
      attempt: 1,
      deadLetter: async (reason) => {
        this.deadLetters.push({ eventType: event.type, payload, reason });
        if (this.deadLetters.length > DEAD_LETTERS_KEPT) this.deadLetters.shift();
      },
    });
    throwUnlessHandled(event, settlement);
  }

  start(): void {
    // Nothing to connect to.
  }

  async close(): Promise<void> {
    // Every delivery settled within its publish.
  }
}

function throwUnlessHandled(event: EventEnvelope, settlement: Settlement): void {
  if (settlement.settle === 'retry') throw settlement.error;
  if (settlement.settle === 'dead-lettered') {
    throw new Error(`Event ${event.type} ${event.id} was dead-lettered: ${settlement.reason}`);
  }
}
