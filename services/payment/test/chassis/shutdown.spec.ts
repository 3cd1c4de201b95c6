// Platform-owned: tests of the chassis graceful shutdown. Changes come from templates/service on upgrade, not by hand.
import { EventEmitter, once } from 'node:events';
import { connect } from 'node:net';
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

/**
 * A listening app with GET /slow (held until released) and GET /fast, and a shutdown whose exits are recorded.
 * `holdOnClose`: an onClose hook that also waits for the release.
 */
async function start(options: { timeoutMs?: number; drainDelayMs?: number; holdOnClose?: boolean } = {}) {
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
    if (options.holdOnClose) app.addHook('onClose', async () => held);
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

/** A raw keep-alive connection that has had one response to GET /fast and sends nothing more. */
async function idleConnection(address: string) {
  const { port } = new URL(address);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write('GET /fast HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  const [firstResponse] = (await once(socket, 'data')) as [Buffer];
  const closed = once(socket, 'close');
  return { firstResponse: firstResponse.toString(), closed };
}

/** The error of a new connection to `address`, or 'connected'. */
async function connectOutcome(address: string): Promise<string> {
  const socket = connect(Number(new URL(address).port), '127.0.0.1');
  try {
    await once(socket, 'connect');
    return 'connected';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  } finally {
    socket.destroy();
  }
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

  it('closes idle keep-alive connections and refuses new ones once the listener closes, while in-flight requests finish', async () => {
    const { address, exits, shutdown, slowRequest } = await start();
    const idle = await idleConnection(address);
    expect(idle.firstResponse).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(idle.firstResponse).toMatch(/\r\nconnection: keep-alive\r\n/i);
    const inFlight = await slowRequest();
    expect(service.app.inFlightRequests).toBe(1);

    const done = shutdown.onSignal('SIGTERM');
    await idle.closed;
    expect(await connectOutcome(address)).toBe('ECONNREFUSED');
    expect(exits).toEqual([]);

    releaseSlowRequests();
    const response = await inFlight.response;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    await done;
    expect(service.app.inFlightRequests).toBe(0);
    expect(exits).toEqual([{ code: 0, unflushed: 0 }]);
  });

  it('does not wait the drain delay on SIGINT: a terminal has no load balancer to wait for', async () => {
    const { exits, shutdown } = await start({ drainDelayMs: 60_000, timeoutMs: 120_000 });
    await shutdown.onSignal('SIGINT');
    expect(exits).toEqual([{ code: 0, unflushed: 0 }]);
    expect(service.logs.withMessage('shutdown started: readiness now answers 503')[0]).toMatchObject({
      signal: 'SIGINT',
      drainDelayMs: 0,
    });
  });

  it('says no request was in flight when what outlasts the timeout is an onClose hook', async () => {
    const { exits, shutdown } = await start({ timeoutMs: 100, holdOnClose: true });
    const done = shutdown.onSignal('SIGTERM');
    await waitFor('the forced exit', () => exits.length > 0);
    expect(exits).toEqual([{ code: 1, unflushed: 0 }]);
    expect(
      service.logs.withMessage('shutdown timed out in onClose hooks, with no request in flight: forcing exit')[0],
    ).toMatchObject({ level: 'error', timeoutMs: 100, inFlightRequests: 0 });
    expect(service.logs.lines.map((line) => line.msg)).not.toContain(
      'shutdown timed out before in-flight requests finished: forcing exit',
    );

    releaseSlowRequests();
    await done;
    expect(exits).toHaveLength(1);
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
