// Platform-owned: liveness and readiness probes. Changes come from templates/service on upgrade, not by hand.
import type { FastifyBaseLogger } from 'fastify';
import { unencapsulated } from './plugin';
import { servedUnderPressure } from './pressure';

export interface ReadinessCheck {
  /** Shown in the /health/ready body. */
  name: string;
  /** Resolves when the dependency is usable; throws, rejects or outlasts the check timeout when it is not. */
  check: () => unknown;
}

/** starting: until the server listens; ready; stopping: from the first shutdown signal (or app.close()). */
export type ReadinessPhase = 'starting' | 'ready' | 'stopping';

export interface Readiness {
  readonly phase: ReadinessPhase;
  /** Shutdown has begun: /health/ready answers 503 from now on, so load balancers stop sending traffic. */
  stop(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    readiness: Readiness;
  }
}

export interface HealthOptions {
  checks: readonly ReadinessCheck[];
  /** Below kubelet's default probe timeout (1 s), so a hung dependency reads as "fail", not as a probe timeout. */
  checkTimeoutMs?: number;
}

interface CheckResult {
  name: string;
  status: 'pass' | 'fail';
  durationMs: number;
  /** Why a failing check failed: its error's message. */
  reason?: string;
}

interface ReadinessBody {
  status: ReadinessPhase | 'failing';
  checks: CheckResult[];
}

const readinessBody = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['starting', 'ready', 'failing', 'stopping'] },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'status', 'durationMs'],
        properties: {
          name: { type: 'string' },
          status: { type: 'string', enum: ['pass', 'fail'] },
          durationMs: { type: 'number' },
          reason: { type: 'string' },
        },
      },
    },
  },
} as const;

export const health = unencapsulated('health', async (app, { checks, checkTimeoutMs = 800 }: HealthOptions) => {
  let phase: ReadinessPhase = 'starting';
  app.decorate('readiness', {
    get phase() {
      return phase;
    },
    stop() {
      phase = 'stopping';
    },
  });
  app.addHook('onListen', async () => {
    if (phase === 'starting') phase = 'ready';
  });
  app.addHook('preClose', async () => {
    phase = 'stopping';
  });

  app.get(
    '/health/live',
    {
      config: { probe: true, ...servedUnderPressure },
      schema: { response: { 200: { type: 'object', properties: { status: { const: 'alive' } } } } },
    },
    async () => ({ status: 'alive' }),
  );

  app.get<{ Reply: { 200: ReadinessBody; 503: ReadinessBody } }>(
    '/health/ready',
    // No 503 schema: a load-shedding 503 from the error handler has the error shape, not this one.
    { config: { probe: true }, schema: { response: { 200: readinessBody } } },
    async (request, reply) => {
      if (phase !== 'ready') return reply.code(503).send({ status: phase, checks: [] });
      const results = await Promise.all(checks.map((check) => runCheck(check, checkTimeoutMs, request.log)));
      const failing = results.some((result) => result.status === 'fail');
      return reply.code(failing ? 503 : 200).send({ status: failing ? 'failing' : 'ready', checks: results });
    },
  );
});

async function runCheck(
  { name, check }: ReadinessCheck,
  timeoutMs: number,
  log: FastifyBaseLogger,
): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`readiness check timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([(async () => check())(), timedOut]);
    return { name, status: 'pass', durationMs: elapsedSince(started) };
  } catch (error) {
    log.warn({ check: name, err: error }, 'readiness check failed');
    const reason = error instanceof Error ? error.message : String(error);
    return { name, status: 'fail', durationMs: elapsedSince(started), reason };
  } finally {
    clearTimeout(timer);
  }
}

function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
