// Platform-owned: tests of the chassis graceful shutdown. Changes come from templates/service on upgrade, not by hand.
import { EventEmitter } from 'node:events';
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createShutdown, type Shutdown } from '../../src/chassis/shutdown';
import { buildTestApp, waitFor, type TestApp } from '../support';

interface Exit {
  code: number;
  /** Log lines not yet flushed when exit was called: must be 0. */
  unflushed: number;
}

let service: TestApp;
let releaseSlowRequests: () => void;
afterEach(async () => {
  releaseSlowRequests();
  await service.app.close();
});

/** A listening app with GET /slow (held until released) and GET /fast, and a shutdown whose exits are recorded. */
async function start(options: { timeoutMs?: number; drainDelayMs?: number } = {}) {
  const held = new Promise<void>((resolve) => {
    releaseSlowRequests = resolve;
  });
  let slowArrived!: () => void;
  const arrived = new Promise<void>((resolve) => {
    slowArrived = resolve;
  });
  const routes: FastifyPluginAsync = async (app) => {
    app.get('/slow', async () => {
      slowArrived();
      await held;
      return { finished: true };
    });
    app.get('/fast', async () => ({ fast: true }));
  };
  service = await buildTestApp({ routes });
  const address = await service.app.listen({ port: 0, host: '127.0.0.1' });
  const exits: Exit[] = [];
  const shutdown: Shutdown = createShutdown({
    app: service.app,
    logger: service.logger,
    timeoutMs: options.timeoutMs ?? 5_000,
    drainDelayMs: options.drainDelayMs ?? 0,
    exit: (code) => exits.push({ code, unflushed: service.logs.unflushedLines() }),
  });
  /** Sends GET /slow and resolves once the handler is running, with the pending response. */
  const slowRequest = async (): Promise<{ response: Promise<Response> }> => {
    const response = fetch(`${address}/slow`);
    await arrived;
    return { response };
  };
  return { address, exits, shutdown, slowRequest };
}

describe('graceful shutdown', () => {
  it('turns readiness off at once, lets the in-flight request finish, flushes logs, then exits 0', async () => {
    const { exits, shutdown, slowRequest } = await start();
    const inFlight = await slowRequest();

    const done = shutdown.onSignal('SIGTERM');
    expect(service.app.readiness.phase).toBe('stopping');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exits).toEqual([]);

    releaseSlowRequests();
    const response = await inFlight.response;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ finished: true });
    await done;

    expect(exits).toEqual([{ code: 0, unflushed: 0 }]);
    const messages = service.logs.lines.map((line) => line.msg);
    expect(messages.indexOf('request completed')).toBeLessThan(messages.indexOf('shutdown complete'));
    expect(service.logs.withMessage('shutdown started: readiness now answers 503')[0]).toMatchObject({
      signal: 'SIGTERM',
    });
  });

  it('keeps serving during the drain delay while readiness answers 503', async () => {
    const { address, exits, shutdown } = await start({ drainDelayMs: 300 });
    const done = shutdown.onSignal('SIGTERM');

    const readiness = await fetch(`${address}/health/ready`);
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toEqual({ status: 'stopping', checks: [] });
    expect((await fetch(`${address}/fast`)).status).toBe(200);
    expect(exits).toEqual([]);

    await done;
    expect(exits).toEqual([{ code: 0, unflushed: 0 }]);
  });

  it('logs an error and exits 1 when in-flight requests outlast the timeout', async () => {
    const { exits, shutdown, slowRequest } = await start({ timeoutMs: 100 });
    const inFlight = await slowRequest();

    const done = shutdown.onSignal('SIGTERM');
    await waitFor('the forced exit', () => exits.length > 0);
    expect(exits).toEqual([{ code: 1, unflushed: 0 }]);
    expect(
      service.logs.withMessage('shutdown timed out before in-flight requests finished: forcing exit')[0],
    ).toMatchObject({
      level: 'error',
      timeoutMs: 100,
    });

    releaseSlowRequests();
    await inFlight.response;
    await done;
    expect(exits).toHaveLength(1);
  });

  it('exits at once, non-zero, on a second signal', async () => {
    const { exits, shutdown, slowRequest } = await start();
    const inFlight = await slowRequest();

    void shutdown.onSignal('SIGTERM');
    await shutdown.onSignal('SIGINT');
    expect(exits).toEqual([{ code: 130, unflushed: 0 }]);
    expect(service.logs.withMessage('second signal during shutdown: exiting immediately')[0]).toMatchObject({
      signal: 'SIGINT',
    });

    releaseSlowRequests();
    await inFlight.response;
  });

  it('logs a fatal error, flushes and exits 1', async () => {
    const { exits, shutdown } = await start();
    shutdown.onFatalError(new Error('kaboom'));
    expect(exits).toEqual([{ code: 1, unflushed: 0 }]);
    expect(service.logs.withMessage('uncaught error: exiting')[0]).toMatchObject({
      level: 'fatal',
      err: { message: 'kaboom' },
    });
  });

  it('is wired to the process signals and uncaught errors by install()', async () => {
    const { exits, shutdown } = await start();
    const fakeProcess = new EventEmitter();
    shutdown.install(fakeProcess);

    fakeProcess.emit('SIGTERM');
    await waitFor('the exit', () => exits.length > 0);
    expect(exits).toEqual([{ code: 0, unflushed: 0 }]);
  });

  it('routes unhandled rejections to the fatal path', async () => {
    const { exits, shutdown } = await start();
    const fakeProcess = new EventEmitter();
    shutdown.install(fakeProcess);
    fakeProcess.emit('unhandledRejection', new Error('nobody awaited me'));
    expect(exits).toEqual([{ code: 1, unflushed: 0 }]);
  });
});
