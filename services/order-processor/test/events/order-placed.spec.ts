import { describe, expect, it } from 'vitest';
import { newContext, runWithContext } from '../../src/chassis/correlation';
import { serviceInfo } from '../../src/chassis/service-info';
import { publishedEvents } from '../../src/events';
import {
  ORDER_PLACED,
  orderPlacedDataSchema,
  orderPlacedProblems,
  type OrderPlacedData,
  type OrderPlacedEvent,
} from '../../src/events/order-placed/event';
import { publishOrderPlaced } from '../../src/events/order-placed/publisher';
import { InProcessTransport } from '../../src/events/transport';

const data: OrderPlacedData = {
  orderId: '3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c',
  customerId: '9b2f4c1e-7d3a-4e5b-8c6d-0a1b2c3d4e5f',
  items: [{ sku: 'ALB-1001', quantity: 2, unitPriceCents: 1999 }],
  totalCents: 3998,
  placedAt: '2026-12-02T10:15:00.000Z',
};

/**
 * Publishes inside a request-like correlation context to a subscription that takes any message, as a consumer
 * receives it: returns the context, the envelope and what was delivered.
 */
async function publishInContext(): Promise<{ correlationId: string; event: OrderPlacedEvent; delivered: unknown[] }> {
  const transport = new InProcessTransport();
  const delivered: unknown[] = [];
  transport.subscribe({ eventType: ORDER_PLACED, problems: () => [], handle: (event) => void delivered.push(event) });
  const context = newContext();
  const event = await runWithContext(context, () => publishOrderPlaced(data, transport));
  return { correlationId: context.correlationId, event, delivered };
}

describe('publishOrderPlaced', () => {
  it('publishes a CloudEvents envelope of the order, stamped with the current correlation id', async () => {
    const { correlationId, event, delivered } = await publishInContext();
    expect(event).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'com.musiccorp.order-processor.order-placed',
      source: `urn:musiccorp:service:${serviceInfo.name}`,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      datacontenttype: 'application/json',
      data,
      correlationid: correlationId,
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/),
    });
    expect(delivered).toEqual([event]);
  });

  it('publishes what its consumers accept: a valid envelope whose data passes the published schema', async () => {
    const { delivered } = await publishInContext();
    expect(orderPlacedProblems(delivered[0])).toEqual([]);
  });

  it('rejects when the transport does not take the event, so the order can be undone', async () => {
    const transport = new InProcessTransport();
    transport.subscribe({
      eventType: ORDER_PLACED,
      problems: () => [],
      handle: () => {
        throw new Error('broker down');
      },
    });
    await expect(publishOrderPlaced(data, transport)).rejects.toThrow('broker down');
  });
});

describe('OrderPlaced in the contract', () => {
  it('is in the events catalog (contract/events.json) with its data schema', () => {
    expect(publishedEvents).toContainEqual(
      expect.objectContaining({ type: ORDER_PLACED, name: 'OrderPlaced', dataSchema: orderPlacedDataSchema }),
    );
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a total that is not in cents', { totalCents: 39.98 }, 'data.totalCents must be integer'],
    ['a customerId that is not a UUID', { customerId: 'alice' }, 'data.customerId must match pattern'],
    ['no items', { items: [] }, 'data.items must NOT have fewer than 1 items'],
    [
      'a line without its price',
      { items: [{ sku: 'ALB-1001', quantity: 1 }] },
      "data.items.0 must have required property 'unitPriceCents'",
    ],
  ])('names the field and the rule of data with %s', async (_, change, problem) => {
    const { event } = await publishInContext();
    expect(orderPlacedProblems({ ...event, data: { ...data, ...change } })).toEqual([expect.stringContaining(problem)]);
  });
});

describe('an OrderPlaced envelope', () => {
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
  ])('is refused for %s', async (_, corrupt) => {
    const { event } = await publishInContext();
    expect(orderPlacedProblems(corrupt(event))).not.toEqual([]);
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
  ])('is a valid envelope with %s', async (_, attributes) => {
    const { event } = await publishInContext();
    expect(orderPlacedProblems(JSON.parse(JSON.stringify({ ...event, ...attributes })))).toEqual([]);
  });
});
