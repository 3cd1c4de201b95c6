// Platform-owned: tests of the chassis health probes. Changes come from templates/service on upgrade, not by hand.
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadinessCheck } from '../../src/chassis/health';
import { buildTestApp, waitFor, type TestApp } from '../support';

let service: TestApp;
afterEach(() => service.app.close());

async function listening(readinessChecks: ReadinessCheck[] = [], env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  service = await buildTestApp({ readinessChecks, env });
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  return service;
}

async function ready() {
  const response = await service.app.inject({ url: '/health/ready' });
  return {
    status: response.statusCode,
    body: response.json() as { status: string; checks: { name: string; status: string; reason?: string }[] },
  };
}

describe('GET /health/live', () => {
  it('answers 200 while the process runs, even before listening', async () => {
    service = await buildTestApp();
    const response = await service.app.inject({ url: '/health/live' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'alive' });
  });
});

describe('GET /health/ready', () => {
  it('answers 503 while starting, before listen completes', async () => {
    service = await buildTestApp();
    expect(await ready()).toEqual({ status: 503, body: { status: 'starting', checks: [] } });
  });

  it('answers 200 once listening', async () => {
    await listening();
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', checks: [] } });
  });

  it('answers 503 as soon as shutdown begins', async () => {
    await listening();
    service.app.readiness.stop();
    expect(await ready()).toEqual({ status: 503, body: { status: 'stopping', checks: [] } });
  });

  it('lists each check, and answers 503 with the reason when any fails, throws or hangs', async () => {
    await listening([
      { name: 'cache', check: () => true },
      { name: 'database', check: async () => Promise.reject(new Error('connection refused')) },
      {
        name: 'broker',
        check: () => {
          throw new Error('not connected');
        },
      },
      { name: 'search', check: () => new Promise(() => undefined) },
    ]);
    const started = Date.now();
    const { status, body } = await ready();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(status).toBe(503);
    expect(body.status).toBe('failing');
    expect(body.checks.map(({ name, status, reason }) => ({ name, status, reason }))).toEqual([
      { name: 'cache', status: 'pass', reason: undefined },
      { name: 'database', status: 'fail', reason: 'connection refused' },
      { name: 'broker', status: 'fail', reason: 'not connected' },
      { name: 'search', status: 'fail', reason: 'readiness check timed out after 800 ms' },
    ]);
    expect(
      service.logs
        .withMessage('readiness check failed')
        .map((line) => line.check)
        .sort(),
    ).toEqual(['broker', 'database', 'search']);
  });

  it('answers 200 when every check passes', async () => {
    await listening([{ name: 'cache', check: async () => 'PONG' }]);
    expect(await ready()).toMatchObject({
      status: 200,
      body: { status: 'ready', checks: [{ name: 'cache', status: 'pass' }] },
    });
  });
});

describe('under pressure', () => {
  it('sheds load with 503 and Retry-After, but liveness and metrics still answer', async () => {
    await listening([], {
      PRESSURE_MAX_HEAP_USED_BYTES: '1',
      PRESSURE_SAMPLE_INTERVAL_MS: '10',
      PRESSURE_RETRY_AFTER_SECONDS: '7',
    });
    await waitFor('the first load sample', () => service.app.isUnderPressure());

    const shed = await service.app.inject({ url: '/health/ready', headers: { 'x-correlation-id': 'busy-1' } });
    expect(shed.statusCode).toBe(503);
    expect(shed.headers['retry-after']).toBe('7');
    expect(shed.headers['x-correlation-id']).toBe('busy-1');
    expect(shed.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Service Unavailable',
      correlationId: 'busy-1',
    });

    expect((await service.app.inject({ url: '/health/live' })).statusCode).toBe(200);
    expect((await service.app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });
});
