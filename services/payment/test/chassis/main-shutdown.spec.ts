// Platform-owned: tests of shutdown in a real process (src/main.ts). Changes come from templates/service on upgrade, not by hand.
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LogFifo,
  freePort,
  get,
  keepAliveAgent,
  killRunningMains,
  requestLines,
  runMain,
  scratchFolder,
  untilReady,
  type Answer,
} from './processes';

const CONNECTIONS = 200;
/** Bounds the requests of one connection, whatever happens. */
const MAX_REQUESTS_PER_CONNECTION = 1_000;

let folder: ReturnType<typeof scratchFolder> | undefined;
afterEach(() => {
  killRunningMains();
  folder?.dispose();
  folder = undefined;
});

/**
 * What the orchestrator does: polls readiness, and once it answers 503 takes the instance out of the endpoints —
 * new connections go elsewhere from then on, while the connections already open keep sending (as kube-proxy's
 * existing conntrack entries do).
 */
class LoadBalancer {
  removed = false;
  readinessStatuses = new Set<number>();
  private polling = true;

  constructor(private readonly port: number) {}

  async poll(): Promise<void> {
    while (this.polling && !this.removed) {
      const status = await get(this.port, '/health/ready').then(
        (answer) => answer.status,
        () => 0,
      );
      this.readinessStatuses.add(status);
      if (status === 503) this.removed = true;
      await sleep(20);
    }
  }

  stop(): void {
    this.polling = false;
  }
}

/** One keep-alive connection's requests: what it was answered, and what failed. */
class Connection {
  readonly answers: Answer[] = [];
  readonly failures: string[] = [];

  /** Requests one after the other until the balancer no longer sends this client here. */
  async run(port: number, path: string, balancer: LoadBalancer): Promise<void> {
    const agent = keepAliveAgent();
    try {
      while (this.answers.length < MAX_REQUESTS_PER_CONNECTION) {
        const answer = await get(port, path, agent);
        this.answers.push(answer);
        // The server closes the connection after this response: the next request would open a new one.
        if (answer.headers.connection === 'close' && balancer.removed) break;
      }
    } catch (error) {
      this.failures.push(String(error));
    } finally {
      agent.destroy();
    }
  }
}

async function waitUntil(what: string, condition: () => boolean): Promise<void> {
  for (let attempt = 0; !condition(); attempt += 1) {
    if (attempt > 2_000) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}

describe('shutdown of the running service', () => {
  it(
    `loses no request of ${CONNECTIONS} keep-alive connections across SIGTERM, with the default configuration`,
    { timeout: 60_000 },
    async () => {
      folder = scratchFolder();
      const port = await freePort();
      const stdout = openSync(join(folder.path, 'stdout.log'), 'w');
      const { child, exited } = runMain({ PORT: String(port) }, stdout);
      closeSync(stdout);
      await untilReady(port);

      const balancer = new LoadBalancer(port);
      const path = '/across-sigterm';
      const connections = Array.from({ length: CONNECTIONS }, () => new Connection());
      const finished = Promise.all(connections.map((connection) => connection.run(port, path, balancer)));
      await waitUntil('every connection to be open and reused', () =>
        connections.every((connection) => connection.failures.length > 0 || connection.answers.at(-1)?.reusedSocket),
      );
      child.kill('SIGTERM');
      const polled = balancer.poll();
      await finished;
      balancer.stop();
      await polled;
      const { code, stderr } = await exited;

      expect(connections.flatMap((connection) => connection.failures)).toEqual([]);
      expect(code).toBe(0);
      expect(stderr).toBe('');
      expect(balancer.readinessStatuses).toContain(503);
      const answers = connections.flatMap((connection) => connection.answers);
      expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([404]));
      expect(answers.filter((answer) => answer.reusedSocket).length).toBeGreaterThanOrEqual(CONNECTIONS);
      // Each connection learnt from its last response that it was closing.
      for (const connection of connections) expect(connection.answers.at(-1)?.headers.connection).toBe('close');
      // One request line on disk per response, the last ones included.
      expect(requestLines(folder.read('stdout.log'), path)).toHaveLength(answers.length);
    },
  );

  it('exits within its flush timeout, saying what it could not write, when stdout has stalled', async () => {
    folder = scratchFolder();
    const fifo = new LogFifo(folder.path);
    try {
      fifo.fill();
      const port = await freePort();
      const { child, exited } = runMain({ PORT: String(port), SHUTDOWN_DRAIN_DELAY_MS: '0' }, fifo.writeFd);
      fifo.closeWriter();
      await untilReady(port);
      for (let n = 0; n < 3; n += 1) expect((await get(port, '/while-stalled')).status).toBe(404);

      child.kill('SIGTERM');
      const { code, stderr } = await exited;

      expect(code).toBe(1);
      const [, lines] =
        /^shutdown complete, but stdout accepted no log output for 1000 ms: (\d+) log lines \(\d+ bytes\) not written; exit 1\n$/.exec(
          stderr,
        ) ?? [];
      expect(stderr).not.toContain('in-flight');
      // At least the three request lines and the two of the shutdown.
      expect(Number(lines)).toBeGreaterThanOrEqual(5);
      expect(requestLines(fifo.drain(), '/while-stalled')).toEqual([]);
    } finally {
      fifo.close();
    }
  });
});
