import type { FastifyBaseLogger } from 'fastify';
import { runInEventContext, type EventSubscription } from '../../chassis';
import { customers, loyaltyPointsFor } from '../../routes/customers';
import { InvalidEventError } from '../envelope';
import { ORDER_PLACED, orderPlacedProblems, type OrderPlacedEvent } from './event';

export type OrderPlacedHandler = (event: OrderPlacedEvent, logger: FastifyBaseLogger) => Promise<void> | void;

/**
 * Awards the customer loyalty points for the order (one per whole dollar). Delivery is at least once, so the award is
 * keyed by the order: a redelivered event (same id), or the same order announced again, awards nothing more. An
 * order of a customer this service does not know is logged and dropped: delivering it again would not change that.
 */
export const handleOrderPlaced: OrderPlacedHandler = (event, logger) => {
  const { orderId, customerId, totalCents } = event.data;
  const points = loyaltyPointsFor(totalCents);
  const outcome = customers.awardLoyaltyPoints(customerId, orderId, points);
  const fields = { eventId: event.id, orderId, customerId };
  if (outcome.kind === 'unknown customer') {
    logger.warn(fields, 'loyalty points not awarded: unknown customer');
  } else if (outcome.kind === 'already awarded') {
    logger.info(fields, 'loyalty points already awarded for this order');
  } else {
    logger.info({ ...fields, points, loyaltyPoints: outcome.customer.loyaltyPoints }, 'loyalty points awarded');
  }
};

/**
 * The subscription to list in src/subscriptions.ts: the chassis dead-letters a delivered message that fails
 * `orderPlacedProblems`, skips an event id it has already processed, and runs the handler in the producer's
 * correlation context, so every line it logs, and every call or event it makes, carries that id.
 */
export function orderPlacedSubscription(
  logger: FastifyBaseLogger,
  handler: OrderPlacedHandler = handleOrderPlaced,
): EventSubscription<OrderPlacedEvent> {
  return {
    eventType: ORDER_PLACED,
    problems: orderPlacedProblems,
    handle: (event) => handler(event, logger),
  };
}

/**
 * The same checks and context for one message handed over directly (a test, a transport of your own): rejects a
 * malformed message with InvalidEventError before the handler runs.
 */
export function consumeOrderPlaced(
  logger: FastifyBaseLogger,
  handler: OrderPlacedHandler = handleOrderPlaced,
): (message: unknown) => Promise<void> {
  return async (message) => {
    const problems = orderPlacedProblems(message);
    if (problems.length > 0) throw new InvalidEventError(ORDER_PLACED, problems);
    const event = message as OrderPlacedEvent;
    await runInEventContext(event, () => handler(event, logger));
  };
}
