import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';

export interface LogLine {
  /** pino's level label (`info`, `warn`, …); 0 for a line that was not JSON. */
  level: string | number;
  msg?: string;
  correlationId?: string;
  [field: string]: unknown;
}

export interface RunningService {
  url: string;
  pid: number;
  /** Every JSON line the process wrote to stdout so far (non-JSON lines are kept under `msg`). */
  logs: LogLine[];
  /** Time from spawn to the first 200 from /health/ready. */
  readyMs: number;
  /** Sends a signal and resolves with the exit code once stdout is fully read. */
  stop(signal?: NodeJS.Signals): Promise<number | undefined>;
  process: ResultPromise;
}

export interface StartOptions {
  cwd: string;
  /** The script to run with node, e.g. `dist/main.js`. */
  entry: string;
  port: number;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

/** Starts a built service as a real process and waits until /health/ready answers 200. */
export async function startService(options: StartOptions): Promise<RunningService> {
  const started = performance.now();
  const child = execa('node', ['--enable-source-maps', options.entry], {
    cwd: options.cwd,
    env: { PORT: String(options.port), HOST: '127.0.0.1', ...options.env },
    reject: false,
    buffer: false,
    // stop() waits for the service's own shutdown deadline; execa's default would SIGKILL it after 5 s.
    forceKillAfterDelay: false,
    stdout: 'pipe',
    stderr: 'inherit',
  });
  const logs: LogLine[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as LogLine);
    } catch {
      logs.push({ level: 0, msg: line });
    }
  });
  const closed = once(lines, 'close');
  const url = `http://127.0.0.1:${options.port}`;
  await waitForReady(url, child, options.readyTimeoutMs ?? 10_000, logs);
  const readyMs = performance.now() - started;
  // No pid means the spawn failed, so what answered ready is another process on that port.
  const { pid } = child;
  if (pid === undefined) {
    throw new Error(
      `node ${options.entry} did not start, yet ${url}/health/ready answered 200: another process holds port ${options.port}; stop it or start on freePort().`,
    );
  }

  return {
    url,
    pid,
    logs,
    readyMs,
    process: child,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      const result = await child;
      await closed;
      return result.exitCode;
    },
  };
}

async function waitForReady(url: string, child: ResultPromise, timeoutMs: number, logs: LogLine[]): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `Service exited with code ${child.exitCode} before it was ready. Its output:\n${JSON.stringify(logs)}`,
      );
    }
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill('SIGKILL');
  throw new Error(`Service at ${url} was not ready within ${timeoutMs} ms.`);
}

/** A port the OS says is free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}
