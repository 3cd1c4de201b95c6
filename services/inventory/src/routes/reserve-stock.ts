import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import { repeatedSku, type Reservation, type ReservationLine } from './stock';

interface ReserveStockBody {
  orderId: string;
  items: ReservationLine[];
}

const bodySchema = {
  type: 'object',
  required: ['orderId', 'items'],
  additionalProperties: false,
  properties: {
    orderId: {
      type: 'string',
      format: 'uuid',
      description: 'The order the units are held for; a retry sends the same',
    },
    items: { type: 'array', minItems: 1, maxItems: 50, items: { $ref: 'ReservationLine#' } },
  },
} as const;

/**
 * Holds stock for an order, all items or none: `POST /reservations`. Idempotent by orderId: the same request again
 * answers the same reservation and holds nothing more.
 */
export const reserveStock: FastifyPluginAsync = async (app) => {
  app.post<{ Body: ReserveStockBody; Reply: Reservation }>(
    '/reservations',
    {
      schema: {
        body: bodySchema,
        response: { 201: { $ref: 'Reservation#' } },
      },
    },
    async (request, reply) => {
      const { orderId, items } = request.body;
      const repeated = repeatedSku(items);
      if (repeated) {
        throw new HttpError(400, `body/items lists SKU ${repeated} twice: give each SKU once, with its total quantity`);
      }
      const outcome = app.stock.reserve(orderId, items);
      if (outcome.kind === 'conflict') {
        request.log.info({ orderId, reason: outcome.message }, 'reservation refused');
        throw new HttpError(409, outcome.message);
      }
      request.log.info(
        { orderId, items },
        outcome.kind === 'reserved' ? 'stock reserved' : 'stock already reserved for this order',
      );
      return reply.code(201).send(outcome.reservation);
    },
  );
};
