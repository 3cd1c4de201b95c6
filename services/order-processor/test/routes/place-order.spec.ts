import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ORDER_PLACED, orderPlacedProblems, type OrderPlacedEvent } from '../../src/events/order-placed/event';
import { eventTransport } from '../../src/events/transport';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import {
  DECLINED_CARD,
  GOOD_CARD,
  noLoadShedding,
  startFakePeers,
  type FakePeers,
  type FakeService,
  type RecordedCall,
} from './fake-peers';

let service: TestApp;
let peers: FakePeers;
let catalog: FakeService;
let inventory: FakeService;
let payment: FakeService;

/**
 * The OrderPlaced events the service's transport delivered (in-process in unit tests), to the one subscription this
 * file makes on it, which checks each as a consumer does; `deliver` is how that subscription answers.
 */
const published: OrderPlacedEvent[] = [];
const keep = (event: OrderPlacedEvent) => void published.push(event);
let deliver = keep;
beforeAll(() => {
  // The transport hands over what passes `problems`: a valid OrderPlaced.
  eventTransport.subscribe({
    eventType: ORDER_PLACED,
    problems: orderPlacedProblems,
    handle: (event) => deliver(event as OrderPlacedEvent),
  });
});

beforeEach(async () => {
  published.length = 0;
  deliver = keep;
  peers = await startFakePeers();
  ({ catalog, inventory, payment } = peers);
  service = await buildTestApp({ routes, env: noLoadShedding });
});
afterEach(async () => {
  await service.app.close();
  await peers.stop();
  // Whatever happened, no log line holds a full card number.
  for (const card of [GOOD_CARD, DECLINED_CARD]) {
    expect(service.logs.raw.filter((line) => line.includes(card))).toEqual([]);
  }
});

const correlationId = 'place-order-test';
const customerId = '9b2f4c1e-7d3a-4e5b-8c6d-0a1b2c3d4e5f';
const order = (changes: object = {}) => ({
  customerId,
  items: [
    { sku: 'ALB-1001', quantity: 2 },
    { sku: 'ALB-1002', quantity: 1 },
  ],
  cardNumber: GOOD_CARD,
  ...changes,
});

const placeOrder = (payload: unknown) =>
  service.app.inject({
    method: 'POST',
    url: '/orders',
    payload: payload as object,
    headers: { 'x-correlation-id': correlationId },
  });

const errorBody = (statusCode: number, error: string, message: string) => ({
  statusCode,
  error,
  message,
  correlationId,
});

/** The saga's own lines (not the chassis' request and http.client lines), in order, with their fields. */
const sagaLines = () =>
  service.logs.lines
    .filter((line) => typeof line.orderId === 'string' && line.kind === undefined)
    .map(({ msg, compensation }) => (compensation ? `${msg} (compensation)` : msg));

const orderIdOf = (call: RecordedCall | undefined) => (call?.body as { orderId?: string } | undefined)?.orderId;

const ordersOfCustomer = async () =>
  (await service.app.inject({ url: `/orders?customerId=${customerId}` })).json().orders;

describe('POST /orders', () => {
  it('prices the items with catalog, reserves them, charges the total, records the order and answers it', async () => {
    const response = await placeOrder(order());
    expect(response.statusCode).toBe(201);
    const placed = response.json();
    expect(placed).toEqual({
      orderId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerId,
      status: 'placed',
      items: [
        { sku: 'ALB-1001', quantity: 2, unitPriceCents: 1999, lineTotalCents: 3998 },
        { sku: 'ALB-1002', quantity: 1, unitPriceCents: 1799, lineTotalCents: 1799 },
      ],
      totalCents: 5797,
      paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      placedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const { orderId } = placed;

    expect(catalog.calls.map((call) => `${call.method} ${call.path}`).sort()).toEqual([
      'GET /albums/ALB-1001',
      'GET /albums/ALB-1002',
    ]);
    expect(inventory.calls.map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: 'POST', path: '/reservations', body: { orderId, items: order().items } },
    ]);
    expect(payment.calls.map(({ method, path, body }) => ({ method, path, body }))).toEqual([
      { method: 'POST', path: '/payments', body: { orderId, amountCents: 5797, cardNumber: GOOD_CARD } },
    ]);
    // Every call carries the order's correlation id and continues its trace.
    for (const call of [...catalog.calls, ...inventory.calls, ...payment.calls]) {
      expect(call.headers['x-correlation-id']).toBe(correlationId);
      expect(call.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    }
    expect(service.logs.lines.filter((line) => line.kind === 'http.client')).toHaveLength(4);

    expect(sagaLines()).toEqual([
      'order received',
      'prices checked',
      'stock reserved',
      'payment captured',
      'OrderPlaced published',
      'order placed',
    ]);
    expect(published).toEqual([
      expect.objectContaining({
        type: 'com.musiccorp.order-processor.order-placed',
        correlationid: correlationId,
        data: {
          orderId,
          customerId,
          items: [
            { sku: 'ALB-1001', quantity: 2, unitPriceCents: 1999 },
            { sku: 'ALB-1002', quantity: 1, unitPriceCents: 1799 },
          ],
          totalCents: 5797,
          placedAt: placed.placedAt,
        },
      }),
    ]);
    expect(service.logs.withMessage('OrderPlaced published')).toEqual([
      expect.objectContaining({ orderId, eventId: published[0]?.id }),
    ]);
    expect(service.logs.withMessage('order placed')).toEqual([
      expect.objectContaining({ correlationId, orderId, customerId, totalCents: 5797, paymentId: placed.paymentId }),
    ]);
    expect((await service.app.inject({ url: `/orders/${orderId}` })).json()).toEqual(placed);
  });

  it('releases the stock and answers 402 when payment declines the card (compensation)', async () => {
    const response = await placeOrder(order({ cardNumber: DECLINED_CARD }));
    expect(response.statusCode).toBe(402);
    expect(response.json()).toEqual(
      errorBody(402, 'Payment Required', 'Payment declined: The card ending 0002 was declined'),
    );
    const orderId = orderIdOf(inventory.callsTo('POST /reservations')[0]);
    expect(inventory.callsTo(`POST /reservations/${orderId}/release`)).toHaveLength(1);
    expect(payment.callsTo('POST /payments/')).toEqual([]); // nothing was taken: no refund
    expect(sagaLines()).toEqual([
      'order received',
      'prices checked',
      'stock reserved',
      'payment declined',
      'stock released (compensation)',
    ]);
    expect(service.logs.withMessage('stock released')).toEqual([
      expect.objectContaining({ compensation: true, correlationId, orderId }),
    ]);
    expect(await ordersOfCustomer()).toEqual([]);
    expect(published).toEqual([]);
  });

  it('answers 422 naming the SKUs the catalog lacks, before reserving anything', async () => {
    const response = await placeOrder(
      order({
        items: [
          { sku: 'ALB-9998', quantity: 1 },
          { sku: 'ALB-1001', quantity: 1 },
          { sku: 'ALB-9999', quantity: 1 },
        ],
      }),
    );
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual(
      errorBody(422, 'Unprocessable Entity', 'Unknown SKU ALB-9998, ALB-9999: not in the catalog'),
    );
    expect(inventory.calls).toEqual([]);
    expect(payment.calls).toEqual([]);
    expect(sagaLines()).toEqual(['order received', 'order refused: SKU not in the catalog']);
  });

  it("answers 409 with inventory's reason when stock is short, charging nothing", async () => {
    const response = await placeOrder(order({ items: [{ sku: 'ALB-1002', quantity: 2 }] }));
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(
      errorBody(409, 'Conflict', 'Not enough stock of ALB-1002: 1 available, 2 requested'),
    );
    expect(payment.calls).toEqual([]);
    expect(sagaLines()).toEqual(['order received', 'prices checked', 'order refused: not enough stock']);
  });

  it('releases the stock, refunds nothing it did not take, and answers 503 when payment is unreachable', async () => {
    await payment.stop();
    const response = await placeOrder(order());
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual(errorBody(503, 'Service Unavailable', 'Service Unavailable'));
    const orderId = orderIdOf(inventory.callsTo('POST /reservations')[0]);
    expect(inventory.callsTo(`POST /reservations/${orderId}/release`)).toHaveLength(1);
    expect(service.logs.withMessage('order failed: payment unavailable')).toEqual([
      expect.objectContaining({
        level: 'warn',
        orderId,
        step: 'payment',
        peer: 'payment',
        reason: 'payment: POST /payments failed: TypeError: fetch failed',
      }),
    ]);
    expect(sagaLines()).toEqual([
      'order received',
      'prices checked',
      'stock reserved',
      'order failed: payment unavailable',
      'refund failed: the payment stays captured (compensation)',
      'stock released (compensation)',
    ]);
    expect(await ordersOfCustomer()).toEqual([]);
  });

  it('refunds the charge, releases the stock and answers 503 when OrderPlaced cannot be published', async () => {
    deliver = () => {
      throw new Error('broker unavailable');
    };
    const response = await placeOrder(order());
    expect(response.statusCode).toBe(503);
    const orderId = orderIdOf(inventory.callsTo('POST /reservations')[0]);
    expect(payment.callsTo(`POST /payments/${orderId}/refund`)).toHaveLength(1);
    expect(inventory.callsTo(`POST /reservations/${orderId}/release`)).toHaveLength(1);
    expect(service.logs.withMessage('order failed: OrderPlaced not published')).toEqual([
      expect.objectContaining({
        level: 'warn',
        orderId,
        err: expect.objectContaining({ message: 'broker unavailable' }),
      }),
    ]);
    expect(sagaLines().slice(3)).toEqual([
      'payment captured',
      'order failed: OrderPlaced not published',
      'payment refunded (compensation)',
      'stock released (compensation)',
    ]);
    expect(await ordersOfCustomer()).toEqual([]);
  });

  it('refunds the charge and releases the stock when payment answers what it never should (503)', async () => {
    const capture = payment.handler;
    // The charge goes through, but the answer is lost to a failing proxy.
    payment.handler = (call) => (call.path === '/payments' ? (capture(call), { status: 502 }) : capture(call));
    const response = await placeOrder(order());
    expect(response.statusCode).toBe(503);
    const orderId = orderIdOf(inventory.callsTo('POST /reservations')[0]);
    expect(payment.callsTo(`POST /payments/${orderId}/refund`)).toHaveLength(1);
    expect(inventory.callsTo(`POST /reservations/${orderId}/release`)).toHaveLength(1);
    expect(sagaLines().slice(3)).toEqual([
      'order failed: payment unavailable',
      'payment refunded (compensation)',
      'stock released (compensation)',
    ]);
  });

  it('releases whatever a reservation that failed midway may hold, and answers 503, charging nothing', async () => {
    inventory.handler = () => ({ status: 500 });
    const response = await placeOrder(order());
    expect(response.statusCode).toBe(503);
    expect(payment.calls).toEqual([]);
    const orderId = orderIdOf(inventory.calls[0]);
    expect(inventory.callsTo(`POST /reservations/${orderId}/release`)).toHaveLength(1);
    expect(service.logs.withMessage('order failed: inventory unavailable')).toEqual([
      expect.objectContaining({
        step: 'stock reservation',
        reason: 'inventory: POST /reservations answered 500 (status 500)',
      }),
    ]);
    expect(service.logs.withMessage('stock release failed: the units stay reserved')).toEqual([
      expect.objectContaining({ level: 'error', compensation: true, orderId }),
    ]);
  });

  it('answers 503 when catalog is unreachable, reserving nothing', async () => {
    await catalog.stop();
    const response = await placeOrder(order());
    expect(response.statusCode).toBe(503);
    expect(inventory.calls).toEqual([]);
    expect(service.logs.withMessage('order failed: catalog unavailable')).toEqual([
      expect.objectContaining({ step: 'price check', peer: 'catalog' }),
    ]);
  });

  it("answers 400 with payment's reason when it refuses the card, releasing the stock", async () => {
    // As the real payment answers a card number whose check digit is wrong.
    payment.handler = () => ({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'body/cardNumber is not a card number', correlationId },
    });
    const refused = await placeOrder(order({ cardNumber: '4242424242424241' }));
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual(
      errorBody(400, 'Bad Request', 'Payment refused the card: body/cardNumber is not a card number'),
    );
    const orderId = orderIdOf(payment.calls[0]);
    expect(inventory.callsTo(`POST /reservations/${orderId}/release`)).toHaveLength(1);
  });

  it.each([
    ['CATALOG_URL', '', 'CATALOG_URL must be an http:// or https:// base URL, e.g. http://catalog:3100 (missing)'],
    ['PAYMENT_URL', '', 'PAYMENT_URL must be an http:// or https:// base URL, e.g. http://catalog:3100 (missing)'],
    [
      'INVENTORY_URL',
      'inventory:3101',
      'INVENTORY_URL must be an http:// or https:// base URL, e.g. http://catalog:3100 (got "inventory:3101")',
    ],
  ])('answers 500 and logs the fix when %s is not a URL, calling nobody', async (name, value, problem) => {
    vi.stubEnv(name, value);
    const response = await placeOrder(order());
    expect(response.statusCode).toBe(500);
    expect(service.logs.withMessage('request failed')).toEqual([
      expect.objectContaining({ err: expect.objectContaining({ message: `Invalid configuration: ${problem}` }) }),
    ]);
    expect([...catalog.calls, ...inventory.calls, ...payment.calls]).toEqual([]);
  });

  const item = { sku: 'ALB-1001', quantity: 1 };
  it.each([
    ['no customerId', { customerId: undefined }, "body must have required property 'customerId'"],
    ['a customerId that is not a UUID', { customerId: 'alice' }, 'body/customerId must match format "uuid"'],
    ['no items', { items: undefined }, "body must have required property 'items'"],
    ['an empty items list', { items: [] }, 'body/items must NOT have fewer than 1 items'],
    ['a quantity of 0', { items: [{ ...item, quantity: 0 }] }, 'body/items/0/quantity must be >= 1'],
    ['a quantity over 100', { items: [{ ...item, quantity: 101 }] }, 'body/items/0/quantity must be <= 100'],
    [
      'a malformed SKU',
      { items: [{ ...item, sku: 'blue-train' }] },
      'body/items/0/sku must match pattern "^[A-Z]{3}-[0-9]{4}$"',
    ],
    ['an item without sku', { items: [{ quantity: 1 }] }, "body/items/0 must have required property 'sku'"],
    ['no cardNumber', { cardNumber: undefined }, "body must have required property 'cardNumber'"],
    [
      'a card number with spaces',
      { cardNumber: '4242 4242 4242 4242' },
      'body/cardNumber must match pattern "^[0-9]{12,19}$"',
    ],
    ['an unknown property', { coupon: 'FREE' }, 'body must NOT have additional properties'],
    [
      'a SKU listed twice',
      { items: [item, { sku: 'ALB-1001', quantity: 2 }] },
      'body/items lists SKU ALB-1001 twice: give each SKU once, with its total quantity',
    ],
  ])('answers 400 for %s, calling nobody', async (_, changes, message) => {
    const response = await placeOrder(order(changes));
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(errorBody(400, 'Bad Request', message));
    expect([...catalog.calls, ...inventory.calls, ...payment.calls]).toEqual([]);
  });
});
