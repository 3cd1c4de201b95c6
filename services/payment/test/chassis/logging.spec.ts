// Platform-owned: tests of the chassis logging. Changes come from templates/service on upgrade, not by hand.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { LogDestination } from '../../src/chassis/log-destination';
import { createLogger, flushLogsSync } from '../../src/chassis/logger';
import { serviceInfo } from '../../src/chassis/service-info';
import { MemoryDestination, buildTestApp, waitFor, type TestApp } from '../support';
import { LogFifo } from './processes';

let service: TestApp;
afterEach(() => service.app.close());

describe('request line', () => {
  const routes: FastifyPluginAsync = async (app) => {
    app.get('/things/:id', async () => ({ ok: true }));
  };

  it('is exactly one line per request, with the route pattern and timing', async () => {
    service = await buildTestApp({ routes });
    await service.app.inject({ url: '/things/42?verbose=1', headers: { 'x-correlation-id': 'req-1' } });
    await service.app.inject({ url: '/things/43' });

    const lines = service.logs.requestLines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'info',
      service: serviceInfo.name,
      version: serviceInfo.version,
      correlationId: 'req-1',
      spanId: expect.stringMatching(/^[0-9a-f]{16}$/),
      kind: 'http.server',
      method: 'GET',
      route: '/things/:id',
      path: '/things/42',
      status: 200,
    });
    expect(lines[0]?.durationMs).toBeTypeOf('number');
    // No traceparent came: the trace starts here, in a root span of each request's own.
    expect(lines[0]).not.toHaveProperty('parentSpanId');
    expect(lines[1]?.spanId).not.toBe(lines[0]?.spanId);
    // Fastify's own per-request lines are off, and nothing repeats a request id under another name.
    expect(service.logs.withMessage('incoming request')).toEqual([]);
    expect(service.logs.raw.filter((line) => line.includes('"reqId"'))).toEqual([]);
  });

  it('labels unknown routes without echoing the raw URL as the route', async () => {
    service = await buildTestApp();
    await service.app.inject({ url: '/nope/123' });
    expect(service.logs.requestLines()[0]).toMatchObject({ route: 'not_found', path: '/nope/123', status: 404 });
  });

  it('is written at debug for probes, so an info logger drops it', async () => {
    service = await buildTestApp({ env: { LOG_LEVEL: 'info' } });
    for (const url of ['/health/live', '/health/ready', '/metrics']) await service.app.inject({ url });
    await service.app.inject({ url: '/business' });
    expect(service.logs.requestLines().map((line) => line.path)).toEqual(['/business']);
  });

  it('is written for probes at debug level', async () => {
    service = await buildTestApp();
    await service.app.inject({ url: '/health/live' });
    expect(service.logs.requestLines()[0]).toMatchObject({ level: 'debug', route: '/health/live' });
  });
});

describe('correlation id on every line', () => {
  it('reaches the root logger in awaited async work, with no duplicate key', async () => {
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/async', async (request) => {
        await sleep(5);
        app.log.info('after a timer');
        await new Promise<void>((resolve) => setImmediate(resolve));
        await Promise.all([1, 2].map(async (n) => app.log.info({ n }, 'in parallel work')));
        request.log.info({ correlationId: request.correlation.correlationId }, 'explicit field');
        return { ok: true };
      });
    };
    service = await buildTestApp({ routes });
    await Promise.all(
      ['a', 'b'].map((id) => service.app.inject({ url: '/async', headers: { 'x-correlation-id': id } })),
    );

    for (const id of ['a', 'b']) {
      const lines = service.logs.lines.filter((line) => line.correlationId === id);
      expect(lines.map((line) => line.msg).sort()).toEqual(
        ['after a timer', 'explicit field', 'in parallel work', 'in parallel work', 'request completed'].sort(),
      );
    }
    for (const raw of service.logs.raw) expect(raw.split('"correlationId"').length).toBeLessThanOrEqual(2);
  });

  it("comes with the request's span on every line, and the caller's span as its parent", async () => {
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/work', async () => {
        await sleep(1);
        app.log.info('working');
        return { ok: true };
      });
    };
    service = await buildTestApp({ routes });
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await service.app.inject({ url: '/work', headers: { 'x-correlation-id': 'spans', traceparent } });
    const [working, request] = [service.logs.withMessage('working')[0], service.logs.requestLines()[0]];
    expect(working).toMatchObject({ correlationId: 'spans', parentSpanId: '00f067aa0ba902b7' });
    expect(working?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(request).toMatchObject({ kind: 'http.server', spanId: working?.spanId, parentSpanId: '00f067aa0ba902b7' });
    for (const raw of service.logs.raw) expect(raw.split('"spanId"').length).toBeLessThanOrEqual(2);
  });

  it('survives request body parsing on a real socket', async () => {
    const routes: FastifyPluginAsync = async (app) => {
      app.post('/echo', async (request) => {
        app.log.info('handling a parsed body');
        return request.body;
      });
    };
    service = await buildTestApp({ routes });
    const address = await service.app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${address}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-correlation-id': 'with-body' },
      body: JSON.stringify({ big: 'x'.repeat(200_000) }),
    });
    expect(response.status).toBe(200);
    expect(service.logs.withMessage('handling a parsed body')[0]?.correlationId).toBe('with-body');
  });

  it('is absent outside any request', async () => {
    service = await buildTestApp();
    service.logger.info('background');
    expect(service.logs.withMessage('background')[0]).not.toHaveProperty('correlationId');
    expect(service.logs.withMessage('background')[0]).not.toHaveProperty('spanId');
  });
});

describe('redaction', () => {
  it('censors authorization, cookie and set-cookie headers logged through request.log', async () => {
    const routes: FastifyPluginAsync = async (app) => {
      app.get('/login', async (request, reply) => {
        request.log.info({ headers: request.headers }, 'request headers');
        reply.header('set-cookie', 'session=s3cret-2');
        request.log.info({ response: { headers: reply.getHeaders() } }, 'response headers');
        return { ok: true };
      });
    };
    service = await buildTestApp({ routes });
    await service.app.inject({
      url: '/login',
      headers: { authorization: 'Bearer s3cret-1', cookie: 'session=s3cret-1' },
    });

    expect(service.logs.raw.join('\n')).not.toMatch(/s3cret/);
    expect(service.logs.withMessage('request headers')[0]?.headers).toMatchObject({
      authorization: '[Redacted]',
      cookie: '[Redacted]',
      'user-agent': 'lightMyRequest',
    });
    expect(service.logs.withMessage('response headers')[0]?.response).toEqual({
      headers: { 'set-cookie': '[Redacted]', 'x-correlation-id': expect.any(String) },
    });
  });

  it.each([
    { headers: {} },
    { req: { headers: {} } },
    { res: { headers: {} } },
    { request: { headers: {} } },
    { response: { headers: {} } },
    { err: { headers: {} } },
    { err: { request: { headers: {} } } },
    { err: { response: { headers: {} } } },
    { err: { config: { headers: {} } } },
  ])('censors them in %j, whichever logger writes it', (shape) => {
    const logs = new MemoryDestination();
    const logger = createLogger({ level: 'info', destination: logs });
    const credentials = {
      authorization: 'Bearer s3cret',
      Cookie: 's3cret',
      'set-cookie': ['s3cret'],
      accept: 'text/plain',
    };
    const logged = JSON.parse(JSON.stringify(shape).replace('{}', JSON.stringify(credentials))) as object;
    logger.info(logged, 'headers');
    expect(logs.raw[0]).not.toContain('s3cret');
    expect(logs.raw[0]).toContain('"accept":"text/plain"');
  });
});

describe('flushing the log destination', () => {
  // What a test opens on disk, closed and removed after it even when it fails, so no run leaves a folder in the tmpdir.
  let folder: string | undefined;
  let fd: number | undefined;
  afterEach(() => {
    try {
      if (fd !== undefined) closeSync(fd);
    } finally {
      if (folder) rmSync(folder, { recursive: true, force: true });
      folder = undefined;
      fd = undefined;
    }
  });

  it('flushLogsSync flushes the destination the logger (or any child of it) writes to', () => {
    const destination = new MemoryDestination();
    const logger = createLogger({ level: 'info', destination });
    flushLogsSync(logger.child({ component: 'x' }));
    expect(destination.flushSyncCalls).toBe(1);
  });

  it('writes lines at the end of the event-loop turn that logged them; flushLogsSync at once, in order', async () => {
    folder = mkdtempSync(join(tmpdir(), 'chassis-logs-'));
    const file = join(folder, 'out.log');
    fd = openSync(file, 'w');
    const logger = createLogger({
      level: 'info',
      destination: new LogDestination({ fd, maxBufferBytes: 1_048_576, flushTimeoutMs: 1_000 }),
    });
    const written = () =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { n: number }).n);

    logger.info({ n: 1 }, 'line');
    expect(written()).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(written()).toEqual([1]);

    for (const n of [2, 3, 4]) logger.info({ n, padding: 'x'.repeat(2_000) }, 'line');
    expect(flushLogsSync(logger)).toBeUndefined();
    expect(written()).toEqual([1, 2, 3, 4]);
  });
});

describe('log_lines_dropped_total', () => {
  it('is a counter on /metrics, 0 while no line was dropped', async () => {
    service = await buildTestApp();
    const { body } = await service.app.inject({ url: '/metrics' });
    expect(body).toContain('# TYPE log_lines_dropped_total counter\n');
    expect(body).toMatch(/^log_lines_dropped_total\{[^}]*service="[^"]+"[^}]*\} 0$/m);
  });
});

describe('LogDestination while its reader has stalled', () => {
  let folder: string | undefined;
  let fifo: LogFifo | undefined;
  afterEach(() => {
    fifo?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
    fifo = undefined;
  });

  it('holds at most its bound, counts what it drops, and writes what it holds once the reader is back', async () => {
    folder = mkdtempSync(join(tmpdir(), 'chassis-logs-'));
    fifo = new LogFifo(folder);
    fifo.fill();
    const maxBufferBytes = 65_536;
    const destination = new LogDestination({ fd: fifo.writeFd, maxBufferBytes, flushTimeoutMs: 20 });
    const line = (n: number) => `${JSON.stringify({ n, padding: 'x'.repeat(200) })}\n`;

    for (let n = 0; n < 1_000; n += 1) destination.write(line(n));
    expect(destination.bufferedBytes()).toBeLessThanOrEqual(maxBufferBytes);
    expect(destination.bufferedLines()).toBeGreaterThan(0);
    expect(destination.droppedLines).toBe(1_000 - destination.bufferedLines());
    expect(destination.flushSync()).toEqual({
      lines: destination.bufferedLines(),
      bytes: destination.bufferedBytes(),
      stalledMs: 20,
    });

    const held = destination.bufferedLines();
    fifo.drain();
    await waitFor('the held lines to be written', () => {
      fifo!.drain();
      return destination.bufferedBytes() === 0;
    });
    const numbers = fifo
      .drain()
      .split('\n')
      .filter(Boolean)
      .map((text) => (JSON.parse(text) as { n: number }).n);
    // The oldest lines, in order: a full buffer drops the new ones.
    expect(numbers).toEqual(Array.from({ length: held }, (_, n) => n));
  });
});
