import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { vi } from 'vitest';

/**
 * Stand-ins for catalog, inventory and payment: real HTTP servers on 127.0.0.1 answering as those services'
 * contracts say, recording every call, so the order's calls go through the chassis' fetchWithContext for real.
 */

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
  headers: IncomingHttpHeaders;
}

export interface FakeAnswer {
  status: number;
  body?: unknown;
}

export type FakeHandler = (call: RecordedCall) => FakeAnswer;

export class FakeService {
  readonly calls: RecordedCall[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    public handler: FakeHandler,
  ) {}

  static async start(handler: FakeHandler): Promise<FakeService> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const fake = new FakeService(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, handler);
    server.on('request', (request, response) => {
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => {
        const call = {
          method: request.method ?? '',
          path: request.url ?? '',
          body: text ? (JSON.parse(text) as unknown) : undefined,
          headers: request.headers,
        };
        fake.calls.push(call);
        const answer = fake.handler(call);
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    return fake;
  }

  /** The calls whose method and path start as `request` does, e.g. `POST /reservations`. */
  callsTo(request: string): RecordedCall[] {
    return this.calls.filter((call) => `${call.method} ${call.path}`.startsWith(request));
  }

  /** Stops listening: from now on a call to it is refused (ECONNREFUSED), as for a service that is down. */
  async stop(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

const error = (status: number, message: string): FakeAnswer => ({
  status,
  body: { statusCode: status, error: 'Error', message, correlationId: 'fake' },
});

/** Catalog: GET /albums/:sku answers the album at `prices[sku]`, or 404. */
export function catalogAnswers(prices: Record<string, number>): FakeHandler {
  return ({ method, path }) => {
    const sku = /^\/albums\/([^/]+)$/.exec(path)?.[1];
    if (method !== 'GET' || !sku) return error(404, `Route ${method} ${path} not found`);
    const priceCents = prices[sku];
    if (priceCents === undefined) return error(404, `No album with SKU ${sku} in the catalog`);
    return { status: 200, body: { sku, title: `Album ${sku}`, artist: 'Artist', priceCents } };
  };
}

/** Inventory: reserves from `stock` all or nothing (409 when short), and puts back what it reserved on release. */
export function inventoryAnswers(stock: Record<string, number>): FakeHandler {
  const reserved = new Map<string, { sku: string; quantity: number }[]>();
  return ({ method, path, body }) => {
    if (method === 'POST' && path === '/reservations') {
      const { orderId, items } = body as { orderId: string; items: { sku: string; quantity: number }[] };
      const short = items.filter((item) => (stock[item.sku] ?? 0) < item.quantity);
      if (short.length > 0) {
        const [{ sku, quantity }] = short as [{ sku: string; quantity: number }];
        return error(409, `Not enough stock of ${sku}: ${stock[sku] ?? 0} available, ${quantity} requested`);
      }
      for (const { sku, quantity } of items) stock[sku] = (stock[sku] ?? 0) - quantity;
      reserved.set(orderId, items);
      return { status: 201, body: { orderId, status: 'reserved', items } };
    }
    const released = /^\/reservations\/([^/]+)\/release$/.exec(path)?.[1];
    if (method === 'POST' && released) {
      const items = reserved.get(released);
      if (!items) return error(404, `No reservation for order ${released}`);
      for (const { sku, quantity } of items) stock[sku] = (stock[sku] ?? 0) + quantity;
      reserved.delete(released);
      return { status: 200, body: { orderId: released, status: 'released', items } };
    }
    return error(404, `Route ${method} ${path} not found`);
  };
}

export const DECLINED_CARD = '4000000000000002';
export const GOOD_CARD = '4242424242424242';

/** Payment: declines DECLINED_CARD (402), captures any other card, refunds what it captured. */
export function paymentAnswers(): FakeHandler {
  const captured = new Map<string, object>();
  return ({ method, path, body }) => {
    if (method === 'POST' && path === '/payments') {
      const { orderId, amountCents, cardNumber } = body as { orderId: string; amountCents: number; cardNumber: string };
      if (cardNumber === DECLINED_CARD) return error(402, 'The card ending 0002 was declined');
      const payment = {
        paymentId: randomUUID(),
        orderId,
        amountCents,
        cardLast4: cardNumber.slice(-4),
        status: 'captured',
      };
      captured.set(orderId, payment);
      return { status: 201, body: payment };
    }
    const refunded = /^\/payments\/([^/]+)\/refund$/.exec(path)?.[1];
    if (method === 'POST' && refunded) {
      const payment = captured.get(refunded);
      if (!payment) return error(404, `No payment for order ${refunded}`);
      return { status: 200, body: { ...payment, status: 'refunded' } };
    }
    return error(404, `Route ${method} ${path} not found`);
  };
}

export interface FakePeers {
  catalog: FakeService;
  inventory: FakeService;
  payment: FakeService;
  /** Stops the three and restores the environment. */
  stop(): Promise<void>;
}

/**
 * Catalog (ALB-1001 at 1999 cents, ALB-1002 at 1799), inventory (5 and 1 units of them) and payment, their URLs in
 * CATALOG_URL, INVENTORY_URL and PAYMENT_URL as `npm run dev` sets them (INVENTORY_URL with a trailing slash).
 */
export async function startFakePeers(): Promise<FakePeers> {
  const catalog = await FakeService.start(catalogAnswers({ 'ALB-1001': 1999, 'ALB-1002': 1799 }));
  const inventory = await FakeService.start(inventoryAnswers({ 'ALB-1001': 5, 'ALB-1002': 1 }));
  const payment = await FakeService.start(paymentAnswers());
  vi.stubEnv('CATALOG_URL', catalog.url);
  vi.stubEnv('INVENTORY_URL', `${inventory.url}/`);
  vi.stubEnv('PAYMENT_URL', payment.url);
  return {
    catalog,
    inventory,
    payment,
    stop: async () => {
      await Promise.all([catalog, inventory, payment].map((fake) => fake.stop()));
      vi.unstubAllEnvs();
    },
  };
}

/**
 * For buildTestApp: no load shedding on event-loop delay. These tests make real calls on 127.0.0.1, and a CI machine
 * busy enough to stall the event loop for a second would get them 503s from the chassis instead of the saga's answers.
 */
export const noLoadShedding = { PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' };
