import type { FastifyPluginAsync } from 'fastify';
import type { Order } from './orders';

interface ListOrdersQuery {
  customerId: string;
}

interface ListOrdersReply {
  orders: readonly Order[];
}

const querystringSchema = {
  type: 'object',
  required: ['customerId'],
  additionalProperties: false,
  properties: { customerId: { type: 'string', format: 'uuid' } },
} as const;

const replySchema = {
  type: 'object',
  required: ['orders'],
  additionalProperties: false,
  properties: { orders: { type: 'array', items: { $ref: 'Order#' } } },
} as const;

/** A customer's orders, oldest first: `GET /orders?customerId=<uuid>`. */
export const listOrders: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: ListOrdersQuery; Reply: ListOrdersReply }>(
    '/orders',
    { schema: { querystring: querystringSchema, response: { 200: replySchema } } },
    async (request) => ({ orders: app.orders.ordersOf(request.query.customerId) }),
  );
};
