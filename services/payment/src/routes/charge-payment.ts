import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import { CARD_NUMBER_PATTERN, passesLuhn } from './cards';
import type { Charge, Payment } from './payments';

const bodySchema = {
  type: 'object',
  required: ['orderId', 'amountCents', 'cardNumber'],
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', format: 'uuid', description: 'The order paid for; a retry sends the same' },
    amountCents: { type: 'integer', minimum: 1, maximum: 10_000_000, description: 'Amount in US cents' },
    cardNumber: { type: 'string', pattern: CARD_NUMBER_PATTERN, description: 'Digits only, no spaces' },
  },
} as const;

/**
 * Charges a card for an order: `POST /payments` → 201 captured, or 402 when the card is declined. Idempotent by
 * orderId: the same charge again answers what the first did and charges nothing more. Logs show the card's last four
 * digits only.
 */
export const chargePayment: FastifyPluginAsync = async (app) => {
  app.post<{ Body: Charge; Reply: Payment }>(
    '/payments',
    {
      schema: {
        body: bodySchema,
        response: { 201: { $ref: 'Payment#' } },
      },
    },
    async (request, reply) => {
      if (!passesLuhn(request.body.cardNumber)) {
        throw new HttpError(400, 'body/cardNumber is not a card number: its check digit is wrong (Luhn)');
      }
      const outcome = app.payments.charge(request.body);
      if (outcome.kind === 'conflict') {
        request.log.info({ orderId: request.body.orderId, reason: outcome.message }, 'charge refused');
        throw new HttpError(409, outcome.message);
      }
      const { payment } = outcome;
      const fields = {
        orderId: payment.orderId,
        paymentId: payment.paymentId,
        amountCents: payment.amountCents,
        cardLast4: payment.cardLast4,
      };
      if (outcome.kind === 'replayed') request.log.info({ ...fields, status: payment.status }, 'charge already made');
      else request.log.info(fields, outcome.kind === 'captured' ? 'payment captured' : 'payment declined');
      if (payment.status === 'declined') throw new HttpError(402, `The card ending ${payment.cardLast4} was declined`);
      return reply.code(201).send(payment);
    },
  );
};
