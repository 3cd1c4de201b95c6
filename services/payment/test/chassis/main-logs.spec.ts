// Platform-owned: tests of the log output of a real process (src/main.ts). Changes come from templates/service on upgrade, not by hand.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_BYTES } from '../../src/chassis/log-destination';
import {
  LogFifo,
  droppedLogLines,
  freePort,
  get,
  keepAliveAgent,
  killRunningMains,
  requestLines,
  runMain,
  scratchFolder,
  untilReady,
  type RunningMain,
} from './processes';

let folder: ReturnType<typeof scratchFolder> | undefined;
afterEach(() => {
  killRunningMains();
  folder?.dispose();
  folder = undefined;
});

/** `requests` GETs of `path` over `connections` keep-alive connections; resolves with the answers' count. */
async function load(port: number, path: string, connections: number, requests: number): Promise<number> {
  let sent = 0;
  let answered = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const agent = keepAliveAgent();
      try {
        while (sent < requests) {
          sent += 1;
          expect((await get(port, path, agent)).status).toBe(404);
          answered += 1;
        }
      } finally {
        agent.destroy();
      }
    }),
  );
  return answered;
}

const KILL_CONNECTIONS = 100;

/** Loads `path` over many keep-alive connections and SIGKILLs the service mid-load; resolves with the answers. */
async function killMidLoad({ child, port, exited }: RunningMain, path: string): Promise<number> {
  let answered = 0;
  let killed = false;
  await Promise.all(
    Array.from({ length: KILL_CONNECTIONS }, async () => {
      const agent = keepAliveAgent();
      try {
        while (!killed) {
          await get(port, path, agent);
          answered += 1;
          // Other connections have requests in flight, and lines wait in the buffer.
          if (answered === 5_000 && !killed) {
            killed = true;
            child.kill('SIGKILL');
          }
        }
      } catch {
        // The connections the kill cut.
      } finally {
        agent.destroy();
      }
    }),
  );
  expect((await exited).signal).toBe('SIGKILL');
  return answered;
}

/** Lines that fit in `bytes`, plus one per connection: requests answered whose line was not yet logged. */
function mostLinesIn(bytes: number, lines: Record<string, unknown>[]): number {
  const shortestLine = Math.min(...lines.map((line) => JSON.stringify(line).length + 1));
  return Math.ceil(bytes / shortestLine) + KILL_CONNECTIONS;
}

describe('log output of the running service', () => {
  it('loses at most the latest batch of lines to a kill -9', { timeout: 60_000 }, async () => {
    folder = scratchFolder();
    const port = await freePort();
    const stdout = openSync(join(folder.path, 'stdout.log'), 'w');
    const running = runMain({ PORT: String(port) }, stdout);
    closeSync(stdout);
    await untilReady(port);

    const answered = await killMidLoad(running, '/before-kill');
    const lines = requestLines(folder.read('stdout.log'), '/before-kill');
    expect(lines.length).toBeGreaterThan(0);
    expect(answered - lines.length).toBeLessThanOrEqual(mostLinesIn(BATCH_BYTES, lines));
  });

  it(
    'loses at most LOG_BUFFER_MAX_BYTES of lines to a kill -9 while its reader lags',
    { timeout: 60_000 },
    async () => {
      folder = scratchFolder();
      const fifo = new LogFifo(folder.path);
      let reading: NodeJS.Timeout | undefined;
      try {
        const port = await freePort();
        const maxBufferBytes = 65_536;
        const env = { PORT: String(port), LOG_BUFFER_MAX_BYTES: String(maxBufferBytes), LOG_FLUSH_TIMEOUT_MS: '5000' };
        const running = runMain(env, fifo.writeFd);
        fifo.closeWriter();
        reading = setInterval(() => fifo.drain(), 200);
        await untilReady(port);

        const answered = await killMidLoad(running, '/lagging-before-kill');
        // What reached the pipe survives the process.
        const lines = requestLines(fifo.drain(), '/lagging-before-kill');
        expect(lines.length).toBeGreaterThan(0);
        expect(answered - lines.length).toBeLessThanOrEqual(mostLinesIn(maxBufferBytes, lines));
      } finally {
        clearInterval(reading);
        fifo.close();
      }
    },
  );

  it('slows down to a reader that lags, losing no line', { timeout: 60_000 }, async () => {
    folder = scratchFolder();
    const fifo = new LogFifo(folder.path);
    let reading: NodeJS.Timeout | undefined;
    try {
      const port = await freePort();
      // A reader that lags is not one that stalled: it reads well within the flush timeout.
      const env = {
        PORT: String(port),
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        LOG_BUFFER_MAX_BYTES: '65536',
        LOG_FLUSH_TIMEOUT_MS: '5000',
      };
      const { child, exited } = runMain(env, fifo.writeFd);
      fifo.closeWriter();
      // Far slower than the service logs: the pipe (64 KiB) and the buffer (64 KiB) fill between two reads.
      reading = setInterval(() => fifo.drain(), 200);
      await untilReady(port);

      const answered = await load(port, '/lagging-reader', 10, 2_000);
      expect(await droppedLogLines(port)).toBe(0);
      child.kill('SIGTERM');
      const { code, stderr } = await exited;

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(requestLines(fifo.drain(), '/lagging-reader')).toHaveLength(answered);
    } finally {
      clearInterval(reading);
      fifo.close();
    }
  });

  it('drops lines only once stdout has stalled, and counts each one it drops', { timeout: 60_000 }, async () => {
    folder = scratchFolder();
    const fifo = new LogFifo(folder.path);
    let reading: NodeJS.Timeout | undefined;
    try {
      fifo.fill();
      const port = await freePort();
      const env = {
        PORT: String(port),
        SHUTDOWN_DRAIN_DELAY_MS: '0',
        LOG_BUFFER_MAX_BYTES: '65536',
        LOG_FLUSH_TIMEOUT_MS: '100',
      };
      const { child, exited } = runMain(env, fifo.writeFd);
      fifo.closeWriter();
      await untilReady(port);

      // About 300 bytes a line: the buffer is full after about 220 of them, and nothing reads stdout.
      const answered = await load(port, '/stalled-reader', 1, 400);
      const dropped = await droppedLogLines(port);
      expect(dropped).toBeGreaterThan(0);

      // The reader is back: the buffered lines go out, and the shutdown writes the rest.
      reading = setInterval(() => fifo.drain(), 10);
      child.kill('SIGTERM');
      const { code, stderr } = await exited;

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      const written = requestLines(fifo.drain(), '/stalled-reader');
      expect(written.length).toBeGreaterThan(0);
      expect(written.length + dropped).toBe(answered);
    } finally {
      clearInterval(reading);
      fifo.close();
    }
  });
});
