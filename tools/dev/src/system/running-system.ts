/**
 * `npm run dev` as a child process, for the demo, the system specs and bench:orders: started in a process group of
 * its own and stopped as a terminal's Ctrl-C stops it (SIGINT to the whole group), its output kept and searchable.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';

export interface RunningSystem {
  /** Everything dev printed so far (stdout and stderr, interleaved as they came). */
  output(): string;
  /** Resolves when the output after `from` (an offset into output()) matches; rejects after `timeoutMs` with it. */
  waitFor(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<void>;
  /** Ctrl-C: SIGINT to dev's process group; resolves with dev's output once npm and dev have exited. */
  stop(): Promise<string>;
}

export interface StartSystemOptions {
  cwd: string;
  /** `npm run dev -- <args>`: services, --broker-port, --log-level. */
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** How long to wait for every service to be ready (a bound on a hang, not a timing). */
  readyTimeoutMs?: number;
}

/** Starts `npm run dev` and resolves once it says every service it started is running. */
export async function startSystem({
  cwd,
  args,
  env,
  readyTimeoutMs = 120_000,
}: StartSystemOptions): Promise<RunningSystem> {
  const child = spawn('npm', ['run', 'dev', '--', ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  }) as ChildProcessByStdio<null, Readable, Readable>;
  let text = '';
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (const check of [...waiters]) check();
    });
  }
  const exited = once(child, 'exit');

  const system: RunningSystem = {
    output: () => text,
    waitFor(pattern, { from = 0, timeoutMs = 90_000 } = {}) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`npm run dev printed no line matching ${pattern} within ${timeoutMs} ms:\n${text}`));
        }, timeoutMs);
        const check = () => {
          if (!pattern.test(text.slice(from))) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGINT');
        } catch {
          // the group is gone already
        }
        await exited;
      }
      return text;
    },
  };
  try {
    await Promise.race([
      system.waitFor(/▸ \d+ service\(s\) running/, { timeoutMs: readyTimeoutMs }),
      exited.then(() => Promise.reject(new Error(`npm run dev exited before every service was ready:\n${text}`))),
    ]);
  } catch (error) {
    await system.stop();
    throw error;
  }
  return system;
}
