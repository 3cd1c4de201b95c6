import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { sleep } from './util';

/**
 * Starts `node <entry>` with its stdout (the JSON logs) and stderr written straight to files through file
 * descriptors, so logging costs the service what it costs in production with a file or a container log driver, and
 * nothing in this process parses it. (tools/core/src/service-process.ts `startService` always pipes stdout into an
 * in-memory array and only probes /health/ready; see bench/README for the proposed options.)
 */
export interface LaunchOptions {
  cwd: string;
  entry: string;
  nodeArgs?: string[];
  port: number;
  env?: Record<string, string>;
  /** Path polled until it answers 200, e.g. /health/ready. */
  readyPath: string;
  stdoutFile: string;
  stderrFile: string;
  readyTimeoutMs?: number;
}

export interface Launched {
  pid: number;
  url: string;
  /** spawn() → first 200 from readyPath. */
  readyMs: number;
  child: ChildProcess;
  /** Resident set size now, from /proc/<pid>/status VmRSS. */
  rssBytes(): Promise<number>;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process has exited. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const HOST = '127.0.0.1';

export async function launch(options: LaunchOptions): Promise<Launched> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(options.port), HOST, ...options.env };
  delete env.NODE_OPTIONS; // nothing from the benchmark's own runtime (tsx) may leak into the measured process
  const stdout = openSync(options.stdoutFile, 'a');
  const stderr = openSync(options.stderrFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', stdout, stderr],
  });
  closeSync(stdout);
  closeSync(stderr);
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exited = once(child, 'exit').then(([code, signal]) => {
    exit = { code: code as number | null, signal: signal as NodeJS.Signals | null };
    return exit;
  });
  const url = `http://${HOST}:${options.port}`;

  const deadline = started + (options.readyTimeoutMs ?? 15_000);
  for (;;) {
    if (exit) {
      throw new Error(
        `${options.entry} exited (${JSON.stringify(exit)}) before ${options.readyPath} answered 200.\n${await tails(options)}`,
      );
    }
    if ((await status(options.port, options.readyPath)) === 200) break;
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${options.entry} did not answer 200 on ${options.readyPath} within ${options.readyTimeoutMs ?? 15_000} ms.\n${await tails(options)}`,
      );
    }
    await sleep(2);
  }
  const readyMs = performance.now() - started;
  // No pid means the spawn failed, so what answered 200 is another process on that port.
  const { pid } = child;
  if (pid === undefined) {
    throw new Error(
      `${options.entry} did not start, yet ${url}${options.readyPath} answered 200: another process holds port ${options.port}; stop it or pick another port.`,
    );
  }

  return {
    pid,
    url,
    readyMs,
    child,
    rssBytes: () => rssBytes(pid),
    async stop(graceMs = 5000) {
      if (exit) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** HTTP status of GET path, or null when nothing answers (yet). Never keeps the connection alive. */
function status(port: number, path: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, path, method: 'GET', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? null));
      res.on('error', () => resolve(null));
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function rssBytes(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(text)?.[1];
  if (!kb) throw new Error(`No VmRSS in /proc/${pid}/status.`);
  return Number(kb) * 1024;
}

async function tails(options: LaunchOptions): Promise<string> {
  const tail = async (file: string) => (await readFile(file, 'utf8').catch(() => '')).split('\n').slice(-20).join('\n');
  return `--- stderr (${options.stderrFile}) ---\n${await tail(options.stderrFile)}\n--- stdout (${options.stdoutFile}) ---\n${await tail(options.stdoutFile)}`;
}

/** One JSON request with a fresh connection; for setting up state (e.g. creating an item) before a load test. */
export async function requestJson(
  url: string,
  method: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, body: parsed };
}
