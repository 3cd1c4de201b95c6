import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import type { Reservation } from './stock';

interface GetReservationParams {
  orderId: string;
}

const paramsSchema = {
  type: 'object',
  required: ['orderId'],
  additionalProperties: false,
  properties: { orderId: { type: 'string', format: 'uuid' } },
} as const;

/** What is (or was) held for an order: `GET /reservations/:orderId`. */
export const getReservation: FastifyPluginAsync = async (app) => {
  app.get<{ Params: GetReservationParams; Reply: Reservation }>(
    '/reservations/:orderId',
    {
      schema: {
        params: paramsSchema,
        response: { 200: { $ref: 'Reservation#' } },
      },
    },
    async (request) => {
      const reservation = app.stock.reservation(request.params.orderId);
      if (!reservation) throw new HttpError(404, `No reservation for order ${request.params.orderId}`);
      return reservation;
    },
  );
};
