import type { FastifyPluginAsync } from 'fastify';
import { getOrder } from './get-order';
import { listOrders } from './list-orders';
import { OrderBook, orderLineSchema, orderSchema } from './orders';
import { placeOrder } from './place-order';

/**
 * The version of this HTTP API (contract/openapi.json): raise the major for a breaking change;
 * `npm run contract -- check` says when.
 */
export const apiVersion = '2.0.0';

/** The service's business routes: one import and one register line per route module. */
export const routes: FastifyPluginAsync = async (app) => {
  // One order book per app instance: the routes below share it.
  app.decorate('orders', new OrderBook());
  // Shared schemas, before the routes that refer to them by $id: components.schemas in contract/openapi.json.
  app.addSchema(orderLineSchema);
  app.addSchema(orderSchema);
  await app.register(placeOrder);
  await app.register(getOrder);
  await app.register(listOrders);
};
