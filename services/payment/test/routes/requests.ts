import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/** The calls the payment specs make, as a caller such as order-processor makes them. */
export const correlationId = 'payment-test';

/** A card number that passes the Luhn check and is captured. */
export const GOOD_CARD = '4242424242424242';
/** The documented test card that is always declined (README: Test cards). */
export const DECLINED_CARD = '4000000000000002';

export const newOrderId = () => randomUUID();

export const charge = (app: FastifyInstance, payload: unknown) =>
  app.inject({
    method: 'POST',
    url: '/payments',
    payload: payload as object,
    headers: { 'x-correlation-id': correlationId },
  });

export const refund = (app: FastifyInstance, orderId: string) =>
  app.inject({ method: 'POST', url: `/payments/${orderId}/refund`, headers: { 'x-correlation-id': correlationId } });

export const errorBody = (statusCode: number, error: string, message: string) => ({
  statusCode,
  error,
  message,
  correlationId,
});
