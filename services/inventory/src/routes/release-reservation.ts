import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import type { Reservation } from './stock';

interface ReleaseReservationParams {
  orderId: string;
}

const paramsSchema = {
  type: 'object',
  required: ['orderId'],
  additionalProperties: false,
  properties: { orderId: { type: 'string', format: 'uuid' } },
} as const;

/**
 * Puts an order's reserved units back on the shelf: `POST /reservations/:orderId/release`, what a saga's compensation
 * calls. Idempotent: releasing a released reservation answers it again and changes nothing.
 */
export const releaseReservation: FastifyPluginAsync = async (app) => {
  app.post<{ Params: ReleaseReservationParams; Reply: Reservation }>(
    '/reservations/:orderId/release',
    {
      schema: {
        params: paramsSchema,
        response: { 200: { $ref: 'Reservation#' } },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      const outcome = app.stock.release(orderId);
      if (outcome.kind === 'unknown') throw new HttpError(404, `No reservation for order ${orderId}`);
      const { items } = outcome.reservation;
      if (outcome.kind === 'released') request.log.info({ compensation: true, orderId, items }, 'stock released');
      else request.log.info({ orderId }, 'reservation already released');
      return outcome.reservation;
    },
  );
};
