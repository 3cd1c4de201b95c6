import type { FastifyBaseLogger } from 'fastify';
import type { EventSubscription } from './chassis';
import { orderPlacedSubscription } from './events/order-placed/consumer';

/**
 * The events this service consumes, one subscription per event type, each listed in consumes.json too. With
 * BROKER_URL set, each is a durable consumer on the broker, so events published while this service is down wait for
 * it; every event arrives at least once, so handlers are idempotent.
 * - order-processor's OrderPlaced: loyalty points for the order (src/events/order-placed/consumer.ts).
 */
export function subscriptions(logger: FastifyBaseLogger): EventSubscription[] {
  return [orderPlacedSubscription(logger)];
}
