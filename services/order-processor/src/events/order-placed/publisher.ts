import { createEvent } from '../../chassis';
import { eventTransport, type EventTransport } from '../transport';
import { ORDER_PLACED, type OrderPlacedData, type OrderPlacedEvent } from './event';

/**
 * Publishes OrderPlaced, stamped with the current correlation context (the request or event being handled), so
 * its consumers log with the same correlation id. Resolves once the broker has stored it (in-process: once every
 * subscription has handled it), rejects otherwise. Returns the envelope it published.
 */
export async function publishOrderPlaced(
  data: OrderPlacedData,
  transport: EventTransport = eventTransport,
): Promise<OrderPlacedEvent> {
  const event: OrderPlacedEvent = { ...createEvent(ORDER_PLACED, data), type: ORDER_PLACED };
  await transport.publish(event);
  return event;
}
