/**
 * One service under `npm run dev`: `tsx watch` in the service's folder (it restarts the service when a source file
 * changes), in a process group of its own, so stopping it stops tsx and the service it runs — nothing is orphaned.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { DevService } from './plan';

const TSX_CLI = createRequire(import.meta.url).resolve('tsx/cli');

export interface WatchedService {
  service: DevService;
  /** Resolves when /health/ready first answers 200; rejects when the process exits before that. */
  ready: Promise<void>;
  /** After tsx restarted the service: resolves when /health/ready answers 200 again. */
  readyAgain(): Promise<void>;
  /** SIGTERM to tsx (which passes it on), SIGKILL to the group after `graceMs`; resolves once none of it is left. */
  stop(graceMs: number): Promise<void>;
}

export interface WatchOptions {
  workspaceRoot: string;
  env: Record<string, string>;
  /** Every line the service or tsx writes, stdout and stderr, in order per stream. */
  onLine: (line: string, stream: 'stdout' | 'stderr') => void;
}

export function watchService(service: DevService, { workspaceRoot, env, onLine }: WatchOptions): WatchedService {
  const child = spawn(process.execPath, [TSX_CLI, 'watch', '--clear-screen=false', 'src/main.ts'], {
    cwd: join(workspaceRoot, service.root),
    env: { ...process.env, ...env, PORT: String(service.port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  }) as ChildProcessByStdio<null, Readable, Readable>;
  const closed = Promise.all(
    (['stdout', 'stderr'] as const).map((stream) => {
      const lines = createInterface({ input: child[stream], crlfDelay: Infinity });
      lines.on('line', (line) => onLine(line, stream));
      return once(lines, 'close');
    }),
  );
  const exited = once(child, 'exit');
  const readyUrl = `http://127.0.0.1:${service.port}/health/ready`;
  const ready = waitForReady(readyUrl, exited);
  // A process that is stopped before it was ready is not an error of its own.
  ready.catch(() => undefined);

  return {
    service,
    ready,
    readyAgain: async () => {
      await waitForDown(readyUrl);
      await waitForReady(readyUrl, exited);
    },
    async stop(graceMs) {
      // To tsx alone: it relays SIGTERM to the service, which would take a second one from the group as "force exit".
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const deadline = Date.now() + graceMs;
      while (groupAlive(child.pid) && Date.now() < deadline) await sleep(50);
      if (groupAlive(child.pid)) signalGroup(child.pid, 'SIGKILL');
      while (groupAlive(child.pid)) await sleep(20);
      if (child.exitCode === null && child.signalCode === null) await exited;
      await closed;
    },
  };
}

async function waitForReady(url: string, exited: Promise<unknown>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  while (!gone) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet, or restarting
    }
    await sleep(100);
  }
  throw new Error('exited before it was ready');
}

/** Until the old process stops answering 200 (tsx announces a restart before it stops the old one), at most 10 s. */
async function waitForDown(url: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status !== 200) return;
    } catch {
      return;
    }
    await sleep(50);
  }
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** Signal 0 to the group: delivered (someone is left) or ESRCH (no process of the group is left). */
function groupAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
