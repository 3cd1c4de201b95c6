import type { EventEnvelope } from '../../chassis';
import { dataValidator } from '../data-schema';
import { envelopeProblems, isRecord } from '../envelope';

/** CloudEvents type of OrderPlaced, published by order-processor. */
export const ORDER_PLACED = 'com.musiccorp.order-processor.order-placed';

const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/**
 * What OrderPlaced carries, as JSON Schema: contract/events.json publishes it, and a published event passes it
 * (test/events/order-placed.spec.ts). Fields may be added; none may be removed or changed once consumers read them.
 */
export const orderPlacedDataSchema = {
  $id: 'OrderPlacedData',
  type: 'object',
  required: ['orderId', 'customerId', 'items', 'totalCents', 'placedAt'],
  properties: {
    orderId: { type: 'string', pattern: UUID, description: 'The order placed (GET /orders/{orderId}).' },
    customerId: { type: 'string', pattern: UUID, description: 'Who placed it.' },
    items: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['sku', 'quantity', 'unitPriceCents'],
        properties: {
          sku: { type: 'string', minLength: 1 },
          quantity: { type: 'integer', minimum: 1 },
          unitPriceCents: { type: 'integer', minimum: 0 },
        },
      },
    },
    totalCents: { type: 'integer', minimum: 0, description: 'What the customer was charged, in US cents.' },
    placedAt: { type: 'string', minLength: 1, description: 'When, as an RFC 3339 timestamp.' },
  },
} as const;

export interface OrderPlacedData {
  orderId: string;
  customerId: string;
  items: { sku: string; quantity: number; unitPriceCents: number }[];
  totalCents: number;
  placedAt: string;
}

export type OrderPlacedEvent = EventEnvelope<OrderPlacedData> & { type: typeof ORDER_PLACED };

const orderPlacedDataProblems = dataValidator(orderPlacedDataSchema);

/** Why `message` is not a valid OrderPlaced event (what a consumer refuses); empty when it is one. */
export function orderPlacedProblems(message: unknown): string[] {
  const problems = envelopeProblems(message, ORDER_PLACED);
  const data = isRecord(message) ? message.data : undefined;
  if (isRecord(data)) problems.push(...orderPlacedDataProblems(data));
  return problems;
}
