import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import { publishOrderPlaced } from '../events/order-placed/publisher';
import { SKU_PATTERN, type Order, type OrderLine } from './orders';
import { PeerFailure, peerUrls, Peers, type ReservationLine } from './peers';

interface PlaceOrderBody {
  customerId: string;
  items: ReservationLine[];
  cardNumber: string;
}

const bodySchema = {
  type: 'object',
  required: ['customerId', 'items', 'cardNumber'],
  additionalProperties: false,
  properties: {
    customerId: { type: 'string', format: 'uuid' },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      items: {
        type: 'object',
        required: ['sku', 'quantity'],
        additionalProperties: false,
        properties: {
          sku: { type: 'string', pattern: SKU_PATTERN },
          quantity: { type: 'integer', minimum: 1, maximum: 100 },
        },
      },
    },
    cardNumber: { type: 'string', pattern: '^[0-9]{12,19}$', description: 'Digits only, no spaces; passed to payment' },
  },
} as const;

/**
 * Places an order: `POST /orders`, a saga over three services. Prices come from catalog, stock is reserved in
 * inventory, the total is charged by payment, OrderPlaced is published, and only then is the order recorded. A step
 * that fails undoes the steps before it (compensation): a declined card releases the stock (402); a payment whose
 * outcome is unknown, or an OrderPlaced the broker did not take, is refunded and the stock released (503). Every
 * step is logged with the orderId; a compensation with `compensation: true`.
 */
export const placeOrder: FastifyPluginAsync = async (app) => {
  app.post<{ Body: PlaceOrderBody; Reply: Order }>(
    '/orders',
    { schema: { body: bodySchema, response: { 201: { $ref: 'Order#' } } } },
    async (request, reply) => {
      const { customerId, items, cardNumber } = request.body;
      const repeated = repeatedSku(items);
      if (repeated) {
        throw new HttpError(400, `body/items lists SKU ${repeated} twice: give each SKU once, with its total quantity`);
      }
      const peers = new Peers(peerUrls());
      const orderId = randomUUID();
      const log = request.log;
      log.info({ orderId, customerId, items }, 'order received');

      const lines = await step(log, orderId, 'price check', () => priceLines(peers, items));
      const unknown = lines.filter((line) => line.unitPriceCents === undefined).map((line) => line.sku);
      if (unknown.length > 0) {
        log.info({ orderId, skus: unknown }, 'order refused: SKU not in the catalog');
        throw new HttpError(422, `Unknown SKU ${unknown.join(', ')}: not in the catalog`);
      }
      const priced = lines as OrderLine[];
      const totalCents = priced.reduce((sum, line) => sum + line.lineTotalCents, 0);
      log.info({ orderId, totalCents }, 'prices checked');

      const reservation = await step(log, orderId, 'stock reservation', () => peers.reserve(orderId, items), {
        // The reservation may have been made before the failure: release whatever it holds.
        undo: () => releaseStock(peers, log, orderId),
      });
      if (!reservation.reserved) {
        log.info({ orderId, reason: reservation.reason }, 'order refused: not enough stock');
        throw new HttpError(409, reservation.reason);
      }
      log.info({ orderId }, 'stock reserved');

      const payment = await step(log, orderId, 'payment', () => peers.charge(orderId, totalCents, cardNumber), {
        // The charge may have gone through before the failure: refund it, then release the stock.
        undo: async () => {
          await refundPayment(peers, log, orderId);
          await releaseStock(peers, log, orderId);
        },
      });
      if (payment.outcome !== 'captured') {
        log.info({ orderId, amountCents: totalCents, reason: payment.reason }, `payment ${payment.outcome}`);
        await releaseStock(peers, log, orderId);
        if (payment.outcome === 'declined') throw new HttpError(402, `Payment declined: ${payment.reason}`);
        throw new HttpError(400, `Payment refused the card: ${payment.reason}`);
      }
      log.info({ orderId, paymentId: payment.paymentId, amountCents: totalCents }, 'payment captured');

      const order: Order = {
        orderId,
        customerId,
        status: 'placed',
        items: priced,
        totalCents,
        paymentId: payment.paymentId,
        placedAt: new Date().toISOString(),
      };
      // An order no one hears of is never fulfilled: unannounced, it is undone like any failed step.
      const announced = { orderId, customerId, totalCents, placedAt: order.placedAt, items: priced.map(eventLine) };
      try {
        const event = await publishOrderPlaced(announced);
        log.info({ orderId, eventId: event.id }, 'OrderPlaced published');
      } catch (error) {
        log.warn({ orderId, err: error }, 'order failed: OrderPlaced not published');
        await refundPayment(peers, log, orderId);
        await releaseStock(peers, log, orderId);
        throw new HttpError(503, 'The order could not be announced: OrderPlaced was not published');
      }
      app.orders.record(order);
      log.info({ orderId, customerId, totalCents, paymentId: payment.paymentId }, 'order placed');
      return reply.code(201).send(order);
    },
  );
};

/** What OrderPlaced says of a line: its consumers can work the line total out. */
const eventLine = ({ sku, quantity, unitPriceCents }: OrderLine) => ({ sku, quantity, unitPriceCents });

type PricedLine = Omit<OrderLine, 'unitPriceCents'> & { unitPriceCents: number | undefined };

/** Each item at the catalog's price, asked for all at once; an SKU the catalog lacks has no price. */
function priceLines(peers: Peers, items: ReservationLine[]): Promise<PricedLine[]> {
  return Promise.all(
    items.map(async ({ sku, quantity }) => {
      const unitPriceCents = await peers.priceOf(sku);
      return { sku, quantity, unitPriceCents, lineTotalCents: (unitPriceCents ?? 0) * quantity };
    }),
  );
}

/**
 * Runs one step of the saga. When its service cannot be reached (or answers what it never should), the order fails
 * with 503 after `undo` has compensated what the step may have done.
 */
async function step<T>(
  log: FastifyBaseLogger,
  orderId: string,
  name: string,
  run: () => Promise<T>,
  { undo }: { undo?: () => Promise<void> } = {},
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof PeerFailure)) throw error;
    log.warn(
      { orderId, step: name, peer: error.peer, reason: error.message },
      `order failed: ${error.peer} unavailable`,
    );
    await undo?.();
    throw new HttpError(503, `The ${name} failed: ${error.peer} is unavailable`);
  }
}

/** Compensation: puts the order's reserved units back. A failure is logged (the units stay held) but not thrown. */
async function releaseStock(peers: Peers, log: FastifyBaseLogger, orderId: string): Promise<void> {
  try {
    const released = await peers.release(orderId);
    log.info({ compensation: true, orderId }, released ? 'stock released' : 'no stock to release');
  } catch (error) {
    log.error({ compensation: true, orderId, err: error }, 'stock release failed: the units stay reserved');
  }
}

/** Compensation: gives back what the order was charged. A failure is logged (the money stays taken) but not thrown. */
async function refundPayment(peers: Peers, log: FastifyBaseLogger, orderId: string): Promise<void> {
  try {
    const refunded = await peers.refund(orderId);
    log.info({ compensation: true, orderId }, refunded ? 'payment refunded' : 'no payment to refund');
  } catch (error) {
    log.error({ compensation: true, orderId, err: error }, 'refund failed: the payment stays captured');
  }
}

/** The first SKU `items` lists twice, if any. */
function repeatedSku(items: ReservationLine[]): string | undefined {
  const seen = new Set<string>();
  for (const { sku } of items) {
    if (seen.has(sku)) return sku;
    seen.add(sku);
  }
  return undefined;
}
