import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import type { Payment } from './payments';

interface GetPaymentParams {
  orderId: string;
}

const paramsSchema = {
  type: 'object',
  required: ['orderId'],
  additionalProperties: false,
  properties: { orderId: { type: 'string', format: 'uuid' } },
} as const;

/** An order's payment, declined or refunded ones included: `GET /payments/:orderId`. */
export const getPayment: FastifyPluginAsync = async (app) => {
  app.get<{ Params: GetPaymentParams; Reply: Payment }>(
    '/payments/:orderId',
    {
      schema: {
        params: paramsSchema,
        response: { 200: { $ref: 'Payment#' } },
      },
    },
    async (request) => {
      const payment = app.payments.payment(request.params.orderId);
      if (!payment) throw new HttpError(404, `No payment for order ${request.params.orderId}`);
      return payment;
    },
  );
};
