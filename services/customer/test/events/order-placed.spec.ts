import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createEvent, currentContext } from '../../src/chassis';
import { newContext, runWithContext } from '../../src/chassis/correlation';
import { createLogger } from '../../src/chassis/logger';
import { publishedEvents } from '../../src/events';
import { InvalidEventError } from '../../src/events/envelope';
import {
  consumeOrderPlaced,
  orderPlacedSubscription,
  type OrderPlacedHandler,
} from '../../src/events/order-placed/consumer';
import { ORDER_PLACED, type OrderPlacedData, type OrderPlacedEvent } from '../../src/events/order-placed/event';
import { InProcessTransport } from '../../src/events/transport';
import { customers } from '../../src/routes/customers';
import { subscriptions } from '../../src/subscriptions';
import { MemoryDestination } from '../support';

/** A customer of this test's own: the directory is the process's, shared by every test here. */
function newCustomer(): string {
  const registered = customers.register({ name: 'Alice Coltrane', email: `alice-${randomUUID()}@example.com` });
  if (registered.kind !== 'created') throw new Error(`expected a new customer, got ${registered.kind}`);
  return registered.customer.customerId;
}

const pointsOf = (customerId: string) => customers.customer(customerId)?.loyaltyPoints;

/** What order-processor sends: its full OrderPlacedData, more than this service reads. */
function orderData(customerId: string, totalCents: number) {
  return {
    orderId: randomUUID(),
    customerId,
    items: [{ sku: 'ALB-1001', quantity: 1, unitPriceCents: totalCents }],
    totalCents,
    placedAt: '2026-12-02T10:15:00.000Z',
  };
}

/** An OrderPlaced envelope as it arrives: published by order-processor in a request's context, through JSON. */
function orderPlaced(data: OrderPlacedData, context = newContext()): OrderPlacedEvent {
  const event = runWithContext(context, () => createEvent(ORDER_PLACED, data));
  return JSON.parse(JSON.stringify(event)) as OrderPlacedEvent;
}

const data = orderData(randomUUID(), 5797);

function consumerWithLogs(handler?: OrderPlacedHandler) {
  const logs = new MemoryDestination();
  const logger = createLogger({ level: 'info', destination: logs });
  return { logs, logger, consume: consumeOrderPlaced(logger, handler) };
}

describe('OrderPlaced: loyalty points', () => {
  it("awards a point per whole dollar of the order, logging in the producer's correlation id", async () => {
    const customerId = newCustomer();
    const context = newContext();
    const event = orderPlaced(orderData(customerId, 5797), context);
    const { logs, consume } = consumerWithLogs();

    await consume(event);

    expect(pointsOf(customerId)).toBe(57);
    expect(logs.withMessage('loyalty points awarded')).toEqual([
      expect.objectContaining({
        correlationId: context.correlationId,
        eventId: event.id,
        orderId: event.data.orderId,
        customerId,
        points: 57,
        loyaltyPoints: 57,
      }),
    ]);
  });

  it('adds up the points of each order', async () => {
    const customerId = newCustomer();
    const { consume } = consumerWithLogs();
    await consume(orderPlaced(orderData(customerId, 1999)));
    await consume(orderPlaced(orderData(customerId, 2499)));
    expect(pointsOf(customerId)).toBe(19 + 24);
  });

  it('is idempotent: the same event delivered again awards nothing more', async () => {
    const customerId = newCustomer();
    const event = orderPlaced(orderData(customerId, 1999));
    const { logs, consume } = consumerWithLogs();
    await consume(event);
    await consume(event);
    expect(pointsOf(customerId)).toBe(19);
    expect(logs.withMessage('loyalty points already awarded for this order')).toEqual([
      expect.objectContaining({ eventId: event.id, orderId: event.data.orderId }),
    ]);
  });

  it('awards an order once even when it is announced again under another event id', async () => {
    const customerId = newCustomer();
    const order = orderData(customerId, 1999);
    const { consume } = consumerWithLogs();
    await consume(orderPlaced(order));
    await consume(orderPlaced(order));
    expect(pointsOf(customerId)).toBe(19);
  });

  it('logs and drops an order of a customer it does not know', async () => {
    const customerId = randomUUID();
    const { logs, consume } = consumerWithLogs();
    await consume(orderPlaced(orderData(customerId, 1999)));
    expect(customers.customer(customerId)).toBeUndefined();
    expect(logs.withMessage('loyalty points not awarded: unknown customer')).toEqual([
      expect.objectContaining({ level: 'warn', customerId }),
    ]);
  });

  it('is what src/subscriptions.ts subscribes to, and what consumes.json lists', async () => {
    const [subscription, ...others] = subscriptions(
      createLogger({ level: 'silent', destination: new MemoryDestination() }),
    );
    expect(others).toEqual([]);
    expect(subscription?.eventType).toBe('com.musiccorp.order-processor.order-placed');
    const consumes = (await import('../../consumes.json', { with: { type: 'json' } })).default;
    expect(consumes.events).toEqual([subscription?.eventType]);
  });
});

describe('OrderPlaced in the contract', () => {
  it('is not among the events this service publishes: order-processor does', () => {
    expect(publishedEvents).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a total that is not in cents', { totalCents: 57.97 }, 'data.totalCents must be integer'],
    ['a total below zero', { totalCents: -1 }, 'data.totalCents must be >= 0'],
    ['no customerId', { customerId: undefined }, "data must have required property 'customerId'"],
    ['no orderId', { orderId: undefined }, "data must have required property 'orderId'"],
  ])('refuses data with %s, naming the field and the rule', async (_, change, problem) => {
    const { consume } = consumerWithLogs();
    const event = orderPlaced(data);
    await expect(consume(JSON.parse(JSON.stringify({ ...event, data: { ...data, ...change } })))).rejects.toThrow(
      problem,
    );
  });
});

describe('consumeOrderPlaced', () => {
  it("restores the producer's correlation id while the handler runs, and only then", async () => {
    const context = newContext();
    const handler = vi.fn<OrderPlacedHandler>(() => {
      expect(currentContext()?.correlationId).toBe(context.correlationId);
    });
    expect(currentContext()).toBeUndefined();
    await consumerWithLogs(handler).consume(orderPlaced(data, context));
    expect(handler).toHaveBeenCalledOnce();
    expect(currentContext()).toBeUndefined();
  });

  it('as a subscription, runs once per event id, in its correlation context', async () => {
    const transport = new InProcessTransport();
    const handler = vi.fn<OrderPlacedHandler>();
    transport.subscribe(orderPlacedSubscription(consumerWithLogs().logger, handler));
    const event = orderPlaced(data);
    await transport.publish(event);
    await transport.publish(event);
    expect(handler).toHaveBeenCalledOnce();
    expect(handler.mock.calls[0]?.[0]).toMatchObject({ id: event.id, correlationid: event.correlationid, data });
  });

  it('as a subscription, sends a bad envelope to the dead letters before the handler runs', async () => {
    const transport = new InProcessTransport();
    const handler = vi.fn<OrderPlacedHandler>();
    transport.subscribe(orderPlacedSubscription(consumerWithLogs().logger, handler));
    await expect(transport.publish({ ...orderPlaced(data), data: { orderId: 7 } })).rejects.toThrow(
      /was dead-lettered: invalid envelope/,
    );
    expect(handler).not.toHaveBeenCalled();
    expect(transport.deadLetters).toHaveLength(1);
  });

  it.each([
    ['a message that is not an object', () => 'not an event'],
    ['another event type', (event: OrderPlacedEvent) => ({ ...event, type: 'com.musiccorp.other.thing-happened' })],
    ['a wrong specversion', (event: OrderPlacedEvent) => ({ ...event, specversion: '0.3' })],
    ['no correlation id', ({ correlationid: _, ...event }: OrderPlacedEvent) => event],
    ['a time that is not a timestamp', (event: OrderPlacedEvent) => ({ ...event, time: 'yesterday' })],
    ['empty data', (event: OrderPlacedEvent) => ({ ...event, data: {} })],
    ['no data', ({ data: _, ...event }: OrderPlacedEvent) => event],
    // CloudEvents 1.0 and its JSON format, rule by rule.
    ['a time that is a date only', (event: OrderPlacedEvent) => ({ ...event, time: '2026-12-02' })],
    ['a time in words', (event: OrderPlacedEvent) => ({ ...event, time: 'Dec 2, 2026' })],
    ['a time that is a number', (event: OrderPlacedEvent) => ({ ...event, time: 1 })],
    ['a time without an offset', (event: OrderPlacedEvent) => ({ ...event, time: '2026-12-02T10:15:00' })],
    ['a time on a day that does not exist', (event: OrderPlacedEvent) => ({ ...event, time: '2026-02-29T10:15:00Z' })],
    ['a source with spaces', (event: OrderPlacedEvent) => ({ ...event, source: 'urn:musiccorp:service:a b' })],
    ['a source that is not a URI-reference', (event: OrderPlacedEvent) => ({ ...event, source: 'http://[::1' })],
    ['an empty source', (event: OrderPlacedEvent) => ({ ...event, source: '' })],
    ['an empty id', (event: OrderPlacedEvent) => ({ ...event, id: '' })],
    ['an id that is not a string', (event: OrderPlacedEvent) => ({ ...event, id: 42 })],
    ['an empty specversion', (event: OrderPlacedEvent) => ({ ...event, specversion: '' })],
    ['an attribute name in upper case', (event: OrderPlacedEvent) => ({ ...event, Partition: 'a' })],
    ['an attribute name with a dash', (event: OrderPlacedEvent) => ({ ...event, 'partition-key': 'a' })],
    ['an extension that is an object', (event: OrderPlacedEvent) => ({ ...event, partitionkey: { key: 'a' } })],
    ['an extension that is not an integer', (event: OrderPlacedEvent) => ({ ...event, priority: 1.5 })],
    ['a datacontenttype that is not JSON', (event: OrderPlacedEvent) => ({ ...event, datacontenttype: 'text/plain' })],
    [
      'a datacontenttype that is not a media type',
      (event: OrderPlacedEvent) => ({ ...event, datacontenttype: 'json' }),
    ],
    ['base64 data', (event: OrderPlacedEvent) => ({ ...event, data_base64: 'e30=' })],
    ['a tracestate that is not a string', (event: OrderPlacedEvent) => ({ ...event, tracestate: 7 })],
  ])('rejects %s before the handler runs', async (_, corrupt) => {
    const event = orderPlaced(data);
    const handler = vi.fn<OrderPlacedHandler>();
    const { logs, consume } = consumerWithLogs(handler);

    await expect(consume(corrupt(event))).rejects.toThrow(InvalidEventError);
    expect(handler).not.toHaveBeenCalled();
    expect(logs.lines).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['a time with an offset, lower-case separators and fractions', { time: '2026-12-02t10:15:00.123456+05:30' }],
    ['a leap second', { time: '2016-12-31T23:59:60Z' }],
    ['a relative source', { source: '/catalog' }],
    ['an https source', { source: 'https://musiccorp.example/catalog?env=ci' }],
    ['no datacontenttype (JSON data by the JSON format)', { datacontenttype: undefined }],
    ['a datacontenttype with parameters', { datacontenttype: 'application/json; charset=utf-8' }],
    ['extensions of each type', { partitionkey: 'albums-7', priority: 3, replay: false, unsetext: null }],
    ['an extension name over 20 characters (a SHOULD, not a MUST)', { averyveryverylongextension: 'x' }],
    ['a subject and a dataschema', { subject: 'albums/7', dataschema: 'https://musiccorp.example/schemas/v1' }],
    ['a tracestate', { tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' }],
  ])('accepts a valid envelope: %s', async (_, attributes) => {
    const event = orderPlaced(data);
    const handler = vi.fn<OrderPlacedHandler>();
    const delivered = JSON.parse(JSON.stringify({ ...event, ...attributes })) as unknown;
    await consumerWithLogs(handler).consume(delivered);
    expect(handler).toHaveBeenCalledOnce();
  });
});
