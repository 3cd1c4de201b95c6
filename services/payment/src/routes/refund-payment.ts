import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import type { Payment } from './payments';

interface RefundPaymentParams {
  orderId: string;
}

const paramsSchema = {
  type: 'object',
  required: ['orderId'],
  additionalProperties: false,
  properties: { orderId: { type: 'string', format: 'uuid' } },
} as const;

/**
 * Gives an order's captured payment back, in full: `POST /payments/:orderId/refund`, what a saga's compensation calls.
 * Idempotent: refunding a refunded payment answers it again and refunds nothing more.
 */
export const refundPayment: FastifyPluginAsync = async (app) => {
  app.post<{ Params: RefundPaymentParams; Reply: Payment }>(
    '/payments/:orderId/refund',
    {
      schema: {
        params: paramsSchema,
        response: { 200: { $ref: 'Payment#' } },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      const outcome = app.payments.refund(orderId);
      if (outcome.kind === 'unknown') throw new HttpError(404, `No payment for order ${orderId}`);
      if (outcome.kind === 'conflict') throw new HttpError(409, outcome.message);
      const { paymentId, amountCents } = outcome.payment;
      if (outcome.kind === 'refunded') {
        request.log.info({ compensation: true, orderId, paymentId, amountCents }, 'payment refunded');
      } else {
        request.log.info({ orderId, paymentId }, 'payment already refunded');
      }
      return outcome.payment;
    },
  );
};
