import type { FastifyBaseLogger } from 'fastify';
import type { EventSubscription } from './chassis';

/**
 * The events this service consumes, one subscription per event type, e.g. `orderPlacedSubscription(logger)` from
 * src/events/order-placed/consumer.ts (`npx plop event` writes one). With BROKER_URL set, each is a durable
 * consumer on the broker, so events published while this service is down wait for it; every event arrives at
 * least once, so handlers must be idempotent by event id. List the types in consumes.json too.
 */
export function subscriptions(_logger: FastifyBaseLogger): EventSubscription[] {
  return [];
}
