import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import type { Order } from './orders';

interface GetOrderParams {
  orderId: string;
}

const paramsSchema = {
  type: 'object',
  required: ['orderId'],
  additionalProperties: false,
  properties: { orderId: { type: 'string', format: 'uuid' } },
} as const;

/** A placed order: `GET /orders/:orderId`. */
export const getOrder: FastifyPluginAsync = async (app) => {
  app.get<{ Params: GetOrderParams; Reply: Order }>(
    '/orders/:orderId',
    { schema: { params: paramsSchema, response: { 200: { $ref: 'Order#' } } } },
    async (request) => {
      const order = app.orders.order(request.params.orderId);
      if (!order) throw new HttpError(404, `No order ${request.params.orderId}`);
      return order;
    },
  );
};
