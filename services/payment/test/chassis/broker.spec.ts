// Platform-owned: tests of the event transports, in-process (the broker's are e2e). Changes come from templates/service on upgrade, not by hand.
import { describe, expect, it, vi } from 'vitest';
import { createEventTransport, eventTransport, InProcessTransport, useEventTransport } from '../../src/chassis/broker';
import {
  PROCESSED_IDS_KEPT,
  ProcessedIds,
  SubscriptionConsumer,
  type Delivery,
} from '../../src/chassis/broker/delivery';
import { durableName, eventSubject, JetStreamTransport } from '../../src/chassis/broker/jetstream';
import type { EventSubscription } from '../../src/chassis/broker/transport';
import { loadConfig } from '../../src/chassis/config';
import { currentContext, newContext, runWithContext } from '../../src/chassis/correlation';
import { createEvent, type EventEnvelope } from '../../src/chassis/events';
import { createLogger } from '../../src/chassis/logger';
import { MemoryDestination } from '../support';

const TYPE = 'com.musiccorp.test.thing-happened';

/** A subscription to TYPE that accepts any object with a string `data.name`, and records what its handler saw. */
function recordingSubscription(handle: (event: EventEnvelope) => void = () => undefined) {
  const handled: { event: EventEnvelope; correlationId: string | undefined }[] = [];
  const subscription: EventSubscription = {
    eventType: TYPE,
    problems: (message) => {
      const data = (message as { data?: { name?: unknown } }).data;
      return typeof data?.name === 'string' ? [] : ['data.name must be a string'];
    },
    handle: (event) => {
      handled.push({ event, correlationId: currentContext()?.correlationId });
      handle(event);
    },
  };
  return { subscription, handled };
}

function withLogs() {
  const logs = new MemoryDestination();
  return { logs, logger: createLogger({ level: 'info', destination: logs }) };
}

function inProcess(handle?: (event: EventEnvelope) => void) {
  const { logs, logger } = withLogs();
  const transport = new InProcessTransport({ logger });
  const { subscription, handled } = recordingSubscription(handle);
  transport.subscribe(subscription);
  return { transport, handled, logs };
}

const kinds = (logs: MemoryDestination) => logs.lines.filter((line) => typeof line.kind === 'string');

describe('InProcessTransport', () => {
  it("delivers the event as JSON, in the producer's correlation context, with one line per hop", async () => {
    const { transport, handled, logs } = inProcess();
    const context = newContext();
    const event = runWithContext(context, () => createEvent(TYPE, { name: 'a' }));
    await runWithContext(context, () => transport.publish(event));

    expect(handled).toEqual([{ event, correlationId: context.correlationId }]);
    expect(handled[0]?.event).not.toBe(event);
    expect(kinds(logs)).toEqual([
      expect.objectContaining({ level: 'info', kind: 'event.published', eventType: TYPE, eventId: event.id }),
      expect.objectContaining({
        level: 'info',
        kind: 'event.consumed',
        eventType: TYPE,
        eventId: event.id,
        outcome: 'processed',
        durationMs: expect.any(Number),
        correlationId: context.correlationId,
      }),
    ]);
  });

  it('runs the handler once per event id: a redelivered event is acknowledged as a duplicate', async () => {
    const { transport, handled, logs } = inProcess();
    const event = createEvent(TYPE, { name: 'a' });
    await transport.publish(event);
    await transport.publish(event);

    expect(handled).toHaveLength(1);
    expect(kinds(logs).map((line) => line.outcome)).toEqual([undefined, 'processed', undefined, 'duplicate']);
  });

  it('dead-letters a bad envelope without running the handler, logging its correlation id', async () => {
    const { transport, handled, logs } = inProcess();
    const event = { ...createEvent(TYPE, { title: 'no name' }), correlationid: 'order-42' };

    await expect(transport.publish(event)).rejects.toThrow(
      `Event ${TYPE} ${event.id} was dead-lettered: invalid envelope: data.name must be a string`,
    );
    expect(handled).toEqual([]);
    expect(transport.deadLetters).toEqual([
      { eventType: TYPE, payload: JSON.stringify(event), reason: 'invalid envelope: data.name must be a string' },
    ]);
    expect(logs.withMessage('event dead-lettered')).toEqual([
      expect.objectContaining({
        level: 'error',
        kind: 'event.dead-lettered',
        eventType: TYPE,
        eventId: event.id,
        reason: 'invalid envelope: data.name must be a string',
        correlationId: 'order-42',
      }),
    ]);
  });

  it('dead-letters a message without a usable correlation id outside any context', async () => {
    const { transport, logs } = inProcess();
    const event = { ...createEvent(TYPE, {}), correlationid: 'not valid!' };
    await expect(transport.publish(event)).rejects.toThrow(/dead-lettered/);
    const [line] = logs.withMessage('event dead-lettered');
    expect(line).toMatchObject({ eventId: event.id });
    expect(line).not.toHaveProperty('correlationId');
  });

  it('rejects the publish with the error of a failing handler, and runs it again for the next delivery', async () => {
    const handle = vi.fn<(event: EventEnvelope) => void>().mockImplementationOnce(() => {
      throw new Error('warehouse offline');
    });
    const { transport, handled, logs } = inProcess(handle);
    const event = createEvent(TYPE, { name: 'a' });

    await expect(transport.publish(event)).rejects.toThrow('warehouse offline');
    await transport.publish(event);

    expect(handled).toHaveLength(2);
    expect(kinds(logs).filter((line) => line.kind === 'event.consumed')).toEqual([
      expect.objectContaining({
        level: 'warn',
        outcome: 'failed',
        err: expect.objectContaining({ message: 'warehouse offline' }),
      }),
      expect.objectContaining({ level: 'info', outcome: 'processed' }),
    ]);
    expect(transport.deadLetters).toEqual([]);
  });

  it('publishes an event nobody subscribes to', async () => {
    const { transport, logs } = inProcess();
    await transport.publish(createEvent('com.musiccorp.test.other', { name: 'a' }));
    expect(kinds(logs).map((line) => line.kind)).toEqual(['event.published']);
  });

  it('refuses a second subscription to the same event type, naming the fix', () => {
    const { transport } = inProcess();
    expect(() => transport.subscribe(recordingSubscription().subscription)).toThrow(
      `${TYPE} is subscribed to twice: a service has one subscription per event type (one durable consumer on the broker); list it once in src/subscriptions.ts.`,
    );
  });
});

describe('SubscriptionConsumer (what every transport does with a delivery)', () => {
  function consumer(maxDeliver: number, handle?: (event: EventEnvelope) => void) {
    const { logs, logger } = withLogs();
    const { subscription, handled } = recordingSubscription(handle);
    return { consumer: new SubscriptionConsumer(subscription, { logger, maxDeliver }), handled, logs };
  }
  const failing = () => {
    throw new Error('boom');
  };
  function delivery(attempt: number, payload = JSON.stringify(createEvent(TYPE, { name: 'a' }))) {
    const deadLetters: string[] = [];
    const value: Delivery = { payload, attempt, deadLetter: async (reason) => void deadLetters.push(reason) };
    return { delivery: value, deadLetters };
  }

  it('retries a failing handler with a growing delay, then dead-letters it on the last delivery', async () => {
    const { consumer: subject, handled } = consumer(3, failing);
    const payload = JSON.stringify(createEvent(TYPE, { name: 'a' }));

    expect(await subject.deliver(delivery(1, payload).delivery)).toMatchObject({ settle: 'retry', delayMs: 1_000 });
    expect(await subject.deliver(delivery(2, payload).delivery)).toMatchObject({ settle: 'retry', delayMs: 2_000 });
    const last = delivery(3, payload);
    expect(await subject.deliver(last.delivery)).toEqual({
      settle: 'dead-lettered',
      reason: 'the handler failed on all 3 deliveries; last: boom',
    });
    expect(last.deadLetters).toEqual(['the handler failed on all 3 deliveries; last: boom']);
    expect(handled).toHaveLength(3);
  });

  it('dead-letters without running the handler an event whose every delivery ended unsettled', async () => {
    const { consumer: subject, handled } = consumer(3);
    const { delivery: fourth, deadLetters } = delivery(4);
    expect(await subject.deliver(fourth)).toMatchObject({ settle: 'dead-lettered' });
    expect(deadLetters).toEqual([
      'delivered 3 times without being settled: each time the consumer stopped or took longer than BROKER_ACK_WAIT_MS',
    ]);
    expect(handled).toEqual([]);
  });

  it('dead-letters a message that is not JSON', async () => {
    const { consumer: subject, logs } = consumer(3);
    const { delivery: notJson, deadLetters } = delivery(1, '{"id": ');
    expect(await subject.deliver(notJson)).toEqual({ settle: 'dead-lettered', reason: 'the message is not JSON' });
    expect(deadLetters).toEqual(['the message is not JSON']);
    expect(logs.withMessage('event dead-lettered')).toEqual([
      expect.objectContaining({ eventType: TYPE, reason: 'the message is not JSON' }),
    ]);
  });

  it('dead-letters a message whose check throws, rather than stopping the consumer', async () => {
    const { logs, logger } = withLogs();
    const subscription: EventSubscription = {
      eventType: TYPE,
      problems: () => {
        throw new TypeError('data is undefined');
      },
      handle: () => undefined,
    };
    const subject = new SubscriptionConsumer(subscription, { logger, maxDeliver: 3 });
    expect(await subject.deliver(delivery(1).delivery)).toEqual({
      settle: 'dead-lettered',
      reason: 'invalid envelope: checking it failed: data is undefined',
    });
    expect(logs.withMessage('event dead-lettered')).toHaveLength(1);
  });

  it('has the event delivered again when the dead-letter destination cannot take it', async () => {
    const { consumer: subject, logs } = consumer(3);
    const unavailable: Delivery = {
      payload: '[]',
      attempt: 2,
      deadLetter: () => Promise.reject(new Error('no broker')),
    };
    expect(await subject.deliver(unavailable)).toMatchObject({ settle: 'retry', delayMs: 2_000 });
    expect(logs.withMessage('event dead-lettered')).toEqual([]);
    expect(logs.withMessage('storing a dead letter failed: the event will be delivered again')).toHaveLength(1);
  });

  it('caps the retry delay at a minute', async () => {
    const { consumer: subject } = consumer(100, failing);
    expect(await subject.deliver(delivery(30).delivery)).toMatchObject({ settle: 'retry', delayMs: 60_000 });
  });
});

describe('ProcessedIds', () => {
  it('forgets the oldest id beyond its capacity', () => {
    const ids = new ProcessedIds(2);
    ids.add('a');
    ids.add('b');
    ids.add('c');
    expect(['a', 'b', 'c'].map((id) => ids.has(id))).toEqual([false, true, true]);
  });

  it('keeps 10,000 per subscription', () => {
    expect(PROCESSED_IDS_KEPT).toBe(10_000);
  });
});

describe('createEventTransport', () => {
  const { logger } = withLogs();

  it('is in-process without BROKER_URL, and always ready', () => {
    const transport = createEventTransport(loadConfig({}).broker, logger);
    expect(transport).toBeInstanceOf(InProcessTransport);
    expect(transport.readinessChecks).toEqual([]);
  });

  it('is JetStream with BROKER_URL, not ready before it has connected', () => {
    const transport = createEventTransport(loadConfig({ BROKER_URL: 'nats://127.0.0.1:4222' }).broker, logger);
    expect(transport).toBeInstanceOf(JetStreamTransport);
    expect(transport.readinessChecks.map((check) => check.name)).toEqual(['broker']);
    expect(() => transport.readinessChecks[0]?.check()).toThrow('connecting to the broker at nats://127.0.0.1:4222');
  });
});

describe('broker names', () => {
  it('puts each event type on its own subject, and names a durable consumer per service and type', () => {
    expect(eventSubject('com.musiccorp.catalog.item-created')).toBe(
      'musiccorp.events.com.musiccorp.catalog.item-created',
    );
    expect(durableName('order-processor', 'com.musiccorp.catalog.item-created')).toBe(
      'order-processor__com_musiccorp_catalog_item-created',
    );
  });

  it.each(['com.musiccorp.*', 'com.musiccorp.>', 'com musiccorp', 'com..musiccorp', 'com.musiccorp.item_created', ''])(
    'refuses the event type %j, which cannot name a subject',
    (eventType) => {
      expect(() => eventSubject(eventType)).toThrow(
        `The event type ${JSON.stringify(eventType)} cannot name a broker subject: use dot-separated letters, digits and dashes, e.g. com.musiccorp.catalog.item-created.`,
      );
    },
  );
});

describe('eventTransport', () => {
  it('is the transport main.ts installs', async () => {
    const { transport, handled } = inProcess();
    useEventTransport(transport);
    try {
      await eventTransport.publish(createEvent(TYPE, { name: 'a' }));
    } finally {
      useEventTransport(new InProcessTransport());
    }
    expect(handled).toHaveLength(1);
  });
});
