// Platform-owned: helpers for the chassis tests that run src/main.ts as a process. Changes come from templates/service on upgrade, not by hand.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Empty when stdout went to a file descriptor of the test's. */
  stdout: string;
  stderr: string;
}

export interface RunningMain {
  child: ChildProcess;
  port: number;
  exited: Promise<Exited>;
}

/** Children still running when a test ends (it failed before they exited). */
const running = new Set<ChildProcess>();

/** For afterEach: kills what a failed test left running, so no run leaves a server behind. */
export function killRunningMains(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * The real entry point in a child process, as the container runs it (through tsx instead of the bundle), on
 * 127.0.0.1. `stdoutFd`: a file or FIFO of the test's instead of a pipe read into `stdout`.
 */
export function runMain(env: NodeJS.ProcessEnv, stdoutFd?: number): RunningMain {
  const port = Number(env.PORT);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: resolve(import.meta.dirname, '../..'),
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', ...env },
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => {
    running.delete(child);
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr };
  });
  return { child, port, exited };
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Polls /health/ready (a connection each time) until it answers 200. */
export async function untilReady(port: number): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const status = await get(port, '/health/ready').then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (attempt > 300) throw new Error(`the service on port ${port} never became ready`);
    await sleep(50);
  }
}

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The request went out on a connection an earlier request had used (keep-alive). */
  reusedSocket: boolean;
}

/** GET on 127.0.0.1; `agent` false: a connection of its own. Rejects on any socket error. */
export function get(port: number, path: string, agent: Agent | false = false): Promise<Answer> {
  return new Promise((resolvePromise, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () =>
        resolvePromise({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          reusedSocket: outgoing.reusedSocket,
        }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** One connection kept alive across requests, as one client of a load balancer holds it. */
export function keepAliveAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** The request lines (`request completed`) for `path` among JSON log lines; a cut-off last line is left out. */
export function requestLines(text: string, path: string): Record<string, unknown>[] {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const parsed: Record<string, unknown>[] = [];
  lines.forEach((line, index) => {
    try {
      parsed.push(JSON.parse(line) as Record<string, unknown>);
    } catch (error) {
      // A kill -9 may cut the last write short; any other line must be whole JSON.
      if (index !== lines.length - 1) throw error;
    }
  });
  return parsed.filter((line) => line.msg === 'request completed' && line.path === path);
}

/** `log_lines_dropped_total` as /metrics reports it. */
export async function droppedLogLines(port: number): Promise<number> {
  const { body } = await get(port, '/metrics');
  const sample = /^log_lines_dropped_total(?:\{[^}]*\})? (\d+)$/m.exec(body);
  if (!sample) throw new Error(`/metrics has no log_lines_dropped_total sample:\n${body}`);
  return Number(sample[1]);
}

/** A temporary folder for a test's files, removed by `dispose()`. */
export function scratchFolder(): { path: string; read(name: string): string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), 'chassis-process-'));
  return {
    path,
    read: (name) => readFileSync(join(path, name), 'utf8'),
    dispose: () => rmSync(path, { recursive: true, force: true }),
  };
}

/**
 * A named pipe standing in for the container runtime's log FIFO, with a reader that reads only when told to: with
 * `fill()` first, whoever writes to it finds it full, as when the log collector stalls.
 */
export class LogFifo {
  readonly writeFd: number;
  private readonly readFd: number;
  private readonly received: Buffer[] = [];

  constructor(folder: string) {
    const path = join(folder, 'stdout.fifo');
    execFileSync('mkfifo', [path]);
    // The reader first: opening a FIFO's write end without blocking needs a reader.
    this.readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    this.writeFd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  }

  /** Fills the pipe to the last byte with newlines (blank lines, which no parser counts). */
  fill(): void {
    for (const size of [65_536, 1]) {
      try {
        for (;;) writeSync(this.writeFd, Buffer.alloc(size, '\n'));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
    }
  }

  /** Reads everything in the pipe now; returns all text read so far. */
  drain(): string {
    for (;;) {
      const buffer = Buffer.alloc(65_536);
      let count: number;
      try {
        count = readSync(this.readFd, buffer);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw error;
      }
      if (count === 0) break;
      this.received.push(buffer.subarray(0, count));
    }
    return Buffer.concat(this.received).toString('utf8');
  }

  /** The test's write end, once the child has its own. */
  closeWriter(): void {
    closeSync(this.writeFd);
  }

  close(): void {
    closeSync(this.readFd);
  }
}
