import { randomUUID } from 'node:crypto';
import { cardFingerprint, DECLINED_TEST_CARD, lastFour } from './cards';

/** Payment's own data, in memory: one payment per order, keyed by the caller's orderId. */

export interface Payment {
  paymentId: string;
  orderId: string;
  amountCents: number;
  cardLast4: string;
  status: 'captured' | 'declined' | 'refunded';
}

export interface Charge {
  orderId: string;
  amountCents: number;
  cardNumber: string;
}

export const paymentSchema = {
  $id: 'Payment',
  type: 'object',
  required: ['paymentId', 'orderId', 'amountCents', 'cardLast4', 'status'],
  additionalProperties: false,
  properties: {
    paymentId: { type: 'string', format: 'uuid' },
    orderId: { type: 'string', format: 'uuid' },
    amountCents: { type: 'integer', minimum: 1, description: 'Amount in US cents' },
    cardLast4: { type: 'string', pattern: '^[0-9]{4}$' },
    status: { type: 'string', enum: ['captured', 'declined', 'refunded'] },
  },
} as const;

export type ChargeOutcome =
  { kind: 'captured' | 'declined' | 'replayed'; payment: Payment } | { kind: 'conflict'; message: string };

export type RefundOutcome =
  { kind: 'refunded' | 'replayed'; payment: Payment } | { kind: 'unknown' } | { kind: 'conflict'; message: string };

interface Entry {
  payment: Payment;
  /** The card's fingerprint (never the number): a retry must use the same card. */
  card: string;
}

/**
 * Charges and refunds, idempotent by orderId: a retried charge answers what the first one did (captured, declined or
 * since refunded) and never charges twice; a retried refund refunds once.
 */
export class PaymentLedger {
  private readonly byOrder = new Map<string, Entry>();

  payment(orderId: string): Payment | undefined {
    return this.byOrder.get(orderId)?.payment;
  }

  charge({ orderId, amountCents, cardNumber }: Charge): ChargeOutcome {
    const card = cardFingerprint(cardNumber);
    const existing = this.byOrder.get(orderId);
    if (existing) {
      const { payment } = existing;
      if (payment.amountCents === amountCents && existing.card === card) return { kind: 'replayed', payment };
      return {
        kind: 'conflict',
        message: `Order ${orderId} already has a ${payment.status} payment of ${payment.amountCents} cents with the card ending ${payment.cardLast4}; a different charge needs a new orderId`,
      };
    }
    const status = cardNumber === DECLINED_TEST_CARD ? 'declined' : 'captured';
    const payment: Payment = { paymentId: randomUUID(), orderId, amountCents, cardLast4: lastFour(cardNumber), status };
    this.byOrder.set(orderId, { payment, card });
    return { kind: status, payment };
  }

  refund(orderId: string): RefundOutcome {
    const payment = this.byOrder.get(orderId)?.payment;
    if (!payment) return { kind: 'unknown' };
    if (payment.status === 'refunded') return { kind: 'replayed', payment };
    if (payment.status === 'declined') {
      return { kind: 'conflict', message: `The payment for order ${orderId} was declined: there is nothing to refund` };
    }
    payment.status = 'refunded';
    return { kind: 'refunded', payment };
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's payments (src/routes/index.ts decorates the routes' scope with it). */
    payments: PaymentLedger;
  }
}
