import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** The calls the inventory specs make, as a caller such as order-processor makes them. */
export const correlationId = 'inventory-test';

export const newOrderId = () => randomUUID();

export const reserve = (app: FastifyInstance, payload: unknown) =>
  app.inject({
    method: 'POST',
    url: '/reservations',
    payload: payload as object,
    headers: { 'x-correlation-id': correlationId },
  });

export const release = (app: FastifyInstance, orderId: string) =>
  app.inject({
    method: 'POST',
    url: `/reservations/${orderId}/release`,
    headers: { 'x-correlation-id': correlationId },
  });

export const stockOf = async (app: FastifyInstance, sku: string) => (await app.inject({ url: `/stock/${sku}` })).json();

export const badRequest = (message: string) => ({ statusCode: 400, error: 'Bad Request', message, correlationId });
