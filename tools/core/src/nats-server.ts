/**
 * A NATS server with JetStream (Debian's `nats-server`) as a child process on 127.0.0.1: the broker `npm run dev`
 * and the broker tests start, each with its own store folder, and stop again.
 */
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface NatsServer {
  /** `nats://127.0.0.1:<port>`: what services get as BROKER_URL. */
  url: string;
  port: number;
  /** Stops the server (SIGTERM, SIGKILL after `graceMs`); resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface NatsServerOptions {
  port: number;
  /** JetStream's store: streams and consumers survive a restart of the server on the same folder. */
  storeDir: string;
  readyTimeoutMs?: number;
}

/** nats-server prints this once it accepts clients. */
const READY = /Server is ready/;

export async function startNatsServer({
  port,
  storeDir,
  readyTimeoutMs = 10_000,
}: NatsServerOptions): Promise<NatsServer> {
  const child = spawn('nats-server', ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const { stderr } = child as ChildProcessByStdio<null, null, Readable>;
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`nats-server on port ${port} was not ready within ${readyTimeoutMs} ms:\n${output.join('\n')}`),
        ),
      readyTimeoutMs,
    );
    createInterface({ input: stderr }).on('line', (line) => {
      if (output.length < 50) output.push(line);
      if (READY.test(line)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error('nats-server is not installed: apt-get install nats-server (or .ci/install-packages).')
          : error,
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with code ${code} before it was ready:\n${output.join('\n')}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    await stopChild(child, 0);
    throw error;
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    stop: (graceMs = 5_000) => stopChild(child, graceMs),
  };
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
