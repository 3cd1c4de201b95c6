import type { EventEnvelope } from '../../chassis';
import { dataValidator } from '../data-schema';
import { envelopeProblems, isRecord } from '../envelope';

/**
 * CloudEvents type of OrderPlaced, published by order-processor (its contract/events.json), consumed here:
 * consumes.json lists it, so the contract gate names this service when order-processor changes it.
 */
export const ORDER_PLACED = 'com.musiccorp.order-processor.order-placed';

/**
 * What this service reads of OrderPlaced, as JSON Schema: the fields of order-processor's OrderPlacedData the loyalty
 * points need, and nothing it does not read, so order-processor may add fields freely.
 */
export const orderPlacedDataSchema = {
  $id: 'OrderPlacedData',
  type: 'object',
  required: ['orderId', 'customerId', 'totalCents'],
  properties: {
    orderId: { type: 'string', minLength: 1 },
    customerId: { type: 'string', minLength: 1 },
    totalCents: { type: 'integer', minimum: 0, description: 'What the customer was charged, in US cents.' },
  },
} as const;

export interface OrderPlacedData {
  orderId: string;
  customerId: string;
  totalCents: number;
}

export type OrderPlacedEvent = EventEnvelope<OrderPlacedData> & { type: typeof ORDER_PLACED };

const orderPlacedDataProblems = dataValidator(orderPlacedDataSchema);

/** Why `message` is not a valid OrderPlaced event; empty when it is one. */
export function orderPlacedProblems(message: unknown): string[] {
  const problems = envelopeProblems(message, ORDER_PLACED);
  const data = isRecord(message) ? message.data : undefined;
  if (isRecord(data)) problems.push(...orderPlacedDataProblems(data));
  return problems;
}
