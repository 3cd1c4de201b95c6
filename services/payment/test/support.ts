// Platform-owned: helpers for the chassis tests. Changes come from templates/service on upgrade, not by hand.
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../src/chassis/app';
import { loadConfig, type Config } from '../src/chassis/config';
import type { ReadinessCheck } from '../src/chassis/health';
import { createLogger } from '../src/chassis/logger';

export interface LogLine {
  level: string;
  msg: string;
  correlationId?: string;
  [field: string]: unknown;
}

/** A pino destination that keeps every line in memory (raw and parsed) and records synchronous flushes. */
export class MemoryDestination {
  readonly raw: string[] = [];
  readonly lines: LogLine[] = [];
  flushSyncCalls = 0;
  private linesAtLastFlush = 0;

  write(chunk: string): void {
    for (const line of chunk.split('\n').filter(Boolean)) {
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as LogLine);
    }
  }

  flushSync(): void {
    this.flushSyncCalls += 1;
    this.linesAtLastFlush = this.raw.length;
  }

  /** Lines written since the last flushSync: what an asynchronous destination could still lose on exit. */
  unflushedLines(): number {
    return this.raw.length - this.linesAtLastFlush;
  }

  /** The one line each request writes. */
  requestLines(): LogLine[] {
    return this.lines.filter((line) => line.msg === 'request completed');
  }

  withMessage(msg: string): LogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }
}

/** Polls `condition` until it holds; fails after `timeoutMs`. For outcomes that depend on timers. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface TestApp {
  app: FastifyInstance;
  logger: Logger;
  logs: MemoryDestination;
}

export interface TestAppOptions {
  routes?: FastifyPluginAsync;
  readinessChecks?: ReadinessCheck[];
  /** Environment variables for loadConfig. */
  env?: NodeJS.ProcessEnv;
}

/** For tests of the chassis on its own. */
const noBusinessRoutes: FastifyPluginAsync = async () => undefined;

/** The real chassis app around `routes`, logging at debug (or env LOG_LEVEL) into memory. */
export async function buildTestApp({
  routes = noBusinessRoutes,
  readinessChecks,
  env = {},
}: TestAppOptions = {}): Promise<TestApp> {
  const config: Config = loadConfig({ LOG_LEVEL: 'debug', ...env });
  const logs = new MemoryDestination();
  const logger = createLogger({ level: config.logLevel, destination: logs });
  const app = await buildApp({ config, logger, routes, readinessChecks });
  return { app, logger, logs };
}
