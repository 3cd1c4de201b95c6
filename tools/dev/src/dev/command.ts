/**
 * `npm run dev [-- <service>…]`: the broker and the services (default: all) on this machine, each restarting when
 * its code changes, started in dependency order, with one aggregated log stream; Ctrl-C stops everything. As
 * `main(argv, out, err)`; dev-cli.ts runs it.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FsTree } from 'nx/src/generators/tree';
import { CommandLine, UsageError, type Output } from '@musiccorp/core/cli';
import { formatConsumesProblems, loadConsumers } from '@musiccorp/core/consumers';
import { startNatsServer, type NatsServer } from '@musiccorp/core/nats-server';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { listServices } from '@musiccorp/core/services';
import { newRunId, runFolder } from '@musiccorp/logs/run-folder';
import { LogStream } from './log-stream';
import { planDev, type DevPlan } from './plan';
import { portsInUse } from './ports';
import { watchService, type WatchedService } from './service-watch';

const DEV = new CommandLine({
  name: 'dev',
  usage: 'npm run dev [-- <service>…] [--broker-port=<port>] [--log-level=<level>]',
  help: `Starts a NATS JetStream broker and the services (default: all of them) with tsx watch, each after the services
it calls (its consumes.json), and prints one stream of their log lines. The raw JSON lines are kept per run in
.musiccorp/runs/<run>/<service>.log (npm run logs / npm run trace read them). Ctrl-C stops every process.
  --broker-port  the broker's port (default 4222)
  --log-level    LOG_LEVEL of every service (default info)`,
  flags: {
    'broker-port': { type: 'string', default: '4222' },
    'log-level': { type: 'string', default: 'info' },
  },
  positionals: { expected: 'service names, or none for all', min: 0 },
});

/** How long a service may take to answer /health/ready before dev says so and goes on (it keeps watching it). */
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

export const main = DEV.main(async ({ flags, positionals }, { out }) => {
  const brokerPort = Number(flags['broker-port']);
  if (!Number.isInteger(brokerPort) || brokerPort < 1024 || brokerPort > 65535) {
    throw DEV.refuse(`--broker-port must be a port number from 1024 to 65535, not ${flags['broker-port']}.`);
  }
  const root = WORKSPACE_ROOT;
  const services = listServices(new FsTree(root, false));
  const consumers = await loadConsumers(root);
  if (consumers.problems.length > 0) throw new UsageError(formatConsumesProblems(consumers.problems));
  const calls = new Map(consumers.index.services.map((entry) => [entry.service, entry.consumes.http]));
  const plan = planDev(services, positionals, calls, `nats://127.0.0.1:${brokerPort}`);
  const busy = await portsInUse([
    { port: brokerPort, what: 'the broker (--broker-port)' },
    ...plan.waves.flat().map((service) => ({ port: service.port, what: service.name })),
  ]);
  if (busy.length > 0) {
    throw new UsageError(
      `${busy.map(({ port, what }) => `port ${port} (${what})`).join(', ')} already in use: stop what holds it (ss -ltnp 'sport = :${busy[0]?.port}' names it), then run npm run dev again.`,
    );
  }
  await runDev(root, plan, { brokerPort, logLevel: flags['log-level'], out });
  return 0;
});

interface RunOptions {
  brokerPort: number;
  logLevel: string;
  out: Output;
}

async function runDev(root: string, plan: DevPlan, { brokerPort, logLevel, out }: RunOptions): Promise<void> {
  const runDir = runFolder(root, newRunId());
  mkdirSync(join(runDir, 'broker'), { recursive: true });
  const started = plan.waves.flat();
  const stream = new LogStream(
    runDir,
    started.map((service) => service.name),
    out,
  );
  const stopped = stopRequested();
  const watched: WatchedService[] = [];
  let broker: NatsServer | undefined;
  try {
    broker = await startNatsServer({ port: brokerPort, storeDir: join(runDir, 'broker') });
    stream.status(`broker: NATS JetStream on ${broker.url}`);
    if (plan.cycle.length > 0) stream.status(`${plan.cycle.join(', ')} call each other in a cycle: started together`);
    for (const wave of plan.waves) {
      const starting = wave.map((service) => {
        const since = performance.now();
        const running = watchService(service, {
          workspaceRoot: root,
          env: { ...plan.env, LOG_LEVEL: logLevel, SHUTDOWN_DRAIN_DELAY_MS: '0' },
          onLine: (line, from) => {
            stream.line(service.name, line, from);
            if (TSX_RESTART.test(line)) void announceReload(running, stream);
          },
        });
        watched.push(running);
        return announceReady(running, since, stream);
      });
      if ((await Promise.race([Promise.all(starting), stopped])) === 'stop') break;
    }
    stream.status(
      `${started.length} service(s) running; logs in ${runDir}. npm run logs -- --correlation=<id> · npm run trace -- <id> · Ctrl-C stops everything`,
    );
    await stopped;
  } finally {
    stream.status('stopping…');
    await Promise.all(watched.map((running) => running.stop(STOP_GRACE_MS)));
    await broker?.stop();
    await stream.close();
    const left = await portsInUse([
      { port: brokerPort, what: 'the broker' },
      ...started.map((service) => ({ port: service.port, what: service.name })),
    ]);
    stream.status(
      left.length === 0
        ? `stopped: every process ended, ports ${[brokerPort, ...started.map((service) => service.port)].join(', ')} free`
        : `stopped, but ${left.map(({ port, what }) => `port ${port} (${what})`).join(', ')} still in use`,
    );
  }
}

/** tsx watch's line when a source file changed: `[tsx] change in ./src/routes/index.ts Restarting...`. */
const TSX_RESTART = /\[tsx\] .*Restarting/;

/** After a reload, the status line once the service is ready again (a reload that does not start is in its output). */
async function announceReload(running: WatchedService, stream: LogStream): Promise<void> {
  const since = performance.now();
  try {
    await running.readyAgain();
    stream.status(
      `${running.service.name}: reloaded, ready again (${((performance.now() - since) / 1000).toFixed(1)} s)`,
    );
  } catch {
    // stopped meanwhile: the stop says so
  }
}

/** Prints a service's status line once it is ready, or after READY_TIMEOUT_MS that it is not (dev goes on). */
async function announceReady(running: WatchedService, since: number, stream: LogStream): Promise<void> {
  const { name, port } = running.service;
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(resolve, READY_TIMEOUT_MS, 'timeout').unref());
  try {
    if ((await Promise.race([running.ready, timeout])) === 'timeout') {
      stream.status(`${name}: not ready after ${READY_TIMEOUT_MS / 1000} s (its output is above); still watching it`);
    } else {
      stream.status(
        `${name}: ready on http://127.0.0.1:${port} (${((performance.now() - since) / 1000).toFixed(1)} s)`,
      );
    }
  } catch {
    stream.status(`${name}: exited before it was ready (its output is above)`);
  }
}

/** Resolves with 'stop' on SIGINT (Ctrl-C) or SIGTERM. */
function stopRequested(): Promise<'stop'> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve('stop');
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
