// Platform-owned: tests of the chassis event envelopes. Changes come from templates/service on upgrade, not by hand.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { currentContext, newContext, runWithContext } from '../../src/chassis/correlation';
import { createEvent, runInEventContext, type EventEnvelope } from '../../src/chassis/events';
import { createLogger } from '../../src/chassis/logger';
import { serviceInfo } from '../../src/chassis/service-info';
import { MemoryDestination } from '../support';

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

  it('starts a new correlation id outside any context', () => {
    expect(createEvent('t', null).correlationid).toMatch(/^[0-9a-f-]{36}$/);
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

  it('replaces a malformed correlation id', () => {
    const event = { ...createEvent('t', {}), correlationid: 'x'.repeat(500) };
    const correlationId = runInEventContext(event, () => currentContext()?.correlationId);
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
