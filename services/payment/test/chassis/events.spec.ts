// Platform-owned: tests of the chassis event envelopes. Changes come from templates/service on upgrade, not by hand.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { currentContext, inboundContext, newContext, runWithContext } from '../../src/chassis/correlation';
import { createEvent, runInEventContext, type EventEnvelope } from '../../src/chassis/events';
import { createLogger } from '../../src/chassis/logger';
import { serviceInfo } from '../../src/chassis/service-info';
import { MemoryDestination } from '../support';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('createEvent', () => {
  it('builds a CloudEvents envelope stamped with the current context', () => {
    const context = newContext();
    const event = runWithContext(context, () => createEvent('com.musiccorp.test.item.created', { id: 7 }));
    expect(event).toEqual({
      specversion: '1.0',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'com.musiccorp.test.item.created',
      source: `urn:musiccorp:service:${serviceInfo.name}`,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      datacontenttype: 'application/json',
      data: { id: 7 },
      correlationid: context.correlationId,
      traceparent: expect.stringMatching(new RegExp(`^00-${context.traceId}-[0-9a-f]{16}-01$`)),
    });
  });

  it('names the producing span as the parent in its traceparent', () => {
    const context = inboundContext('order-1', `00-${TRACE_ID}-00f067aa0ba902b7-01`).context;
    const event = runWithContext(context, () => createEvent('t', {}));
    expect(event.traceparent).toBe(`00-${TRACE_ID}-${context.spanId}-01`);
  });

  it('starts a new correlation id outside any context', () => {
    expect(createEvent('t', null).correlationid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("carries the trace's tracestate and sampled flag, under a parent id of its own", () => {
    const inbound = `00-${TRACE_ID}-00f067aa0ba902b7-00`;
    const { context } = inboundContext('order-1', inbound, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
    const event = runWithContext(context, () => createEvent('t', {}));
    expect(event.traceparent).toMatch(new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-00$`));
    expect(event.traceparent).not.toBe(inbound);
    expect(event.tracestate).toBe('rojo=00f067aa0ba902b7,congo=t61rcWkgMzE');
  });
});

describe('runInEventContext', () => {
  it("runs the consumer inside the producer's context, so its logs carry the correlation id", async () => {
    const produced = runWithContext(newContext(), () => createEvent('com.musiccorp.test.item.created', { id: 7 }));
    const received = JSON.parse(JSON.stringify(produced)) as EventEnvelope<{ id: number }>;
    const logs = new MemoryDestination();
    const logger = createLogger({ level: 'info', destination: logs });

    const result = await runInEventContext(received, async (event) => {
      await sleep(1);
      logger.info({ itemId: event.data.id }, 'handled event');
      return currentContext();
    });

    expect(result?.correlationId).toBe(produced.correlationid);
    expect(result?.traceId).toBe(produced.traceparent.split('-')[1]);
    expect(logs.withMessage('handled event')[0]).toMatchObject({ correlationId: produced.correlationid, itemId: 7 });
    expect(currentContext()).toBeUndefined();
  });

  it('runs the consumer in a span of its own, the producing span as its parent, on every line it logs', () => {
    const producer = newContext();
    const produced = runWithContext(producer, () => createEvent('t', {}));
    const logs = new MemoryDestination();
    const logger = createLogger({ level: 'info', destination: logs });
    const consumer = runInEventContext(produced, () => {
      logger.info('consuming');
      return currentContext();
    });
    expect(consumer?.parentSpanId).toBe(producer.spanId);
    expect(consumer?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(consumer?.spanId).not.toBe(producer.spanId);
    expect(logs.withMessage('consuming')[0]).toMatchObject({ spanId: consumer?.spanId, parentSpanId: producer.spanId });
  });

  it("restores the producer's tracestate; an invalid one is dropped, the trace kept", () => {
    const produced = runWithContext(
      inboundContext(undefined, `00-${TRACE_ID}-00f067aa0ba902b7-01`, 'congo=1').context,
      () => createEvent('t', {}),
    );
    expect(runInEventContext(produced, () => currentContext())).toMatchObject({
      traceId: TRACE_ID,
      sampled: true,
      tracestate: 'congo=1',
    });
    const invalid = runInEventContext({ ...produced, tracestate: 'congo=1,congo=2' }, () => currentContext());
    expect(invalid?.traceId).toBe(TRACE_ID);
    expect(invalid?.tracestate).toBeUndefined();
    const notAString = JSON.parse(JSON.stringify({ ...produced, tracestate: 7 })) as EventEnvelope;
    expect(runInEventContext(notAString, () => currentContext()?.tracestate)).toBeUndefined();
  });

  it('replaces a malformed correlation id', () => {
    const event = { ...createEvent('t', {}), correlationid: 'x'.repeat(500) };
    const correlationId = runInEventContext(event, () => currentContext()?.correlationId);
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
