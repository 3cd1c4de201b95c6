/**
 * Events between service processes through a real NATS JetStream broker on 127.0.0.1, in a scratch copy of this
 * workspace: a producer generated with `nx g service` and `npx plop event` publishes from an HTTP route, a consumer
 * service handles the events with an effect it records by event id. A consumer killed with SIGKILL in the middle of
 * a handler gets that event again in its next process and the effect happens once; a stopped broker turns both
 * services' readiness 503, and they recover when it returns; a bad envelope goes to the dead letters with an error line
 * carrying its correlation id, and never reaches the handler.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { startNatsServer, type NatsServer } from '@musiccorp/core/nats-server';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { freePort, startService, type LogLine, type RunningService } from '@musiccorp/core/service-process';
import { forgetOuterNxTask, scratchCommands } from './support';

const PRODUCER = 'e2e-parcel-desk';
const CONSUMER = 'e2e-parcel-notifier';
const PARCEL_SHIPPED = `com.musiccorp.${PRODUCER}.parcel-shipped`;
/** The consumer's handler never finishes for this parcel in a process started with it as HOLD_PARCEL. */
const HELD = 'parcel-2';

forgetOuterNxTask();

let scratch: ScratchWorkspace | undefined;
let built = false;
const needsBuilt = (context: TestContext) => {
  if (!built) context.skip('skipped: generating or building the services failed');
};
function workspace(): ScratchWorkspace {
  if (!scratch) throw new Error('the scratch workspace was not created');
  return scratch;
}
const { succeeds } = scratchCommands(workspace);
const servicePath = (service: string, ...segments: string[]) =>
  join(workspace().root, 'services', service, ...segments);

let storeDir: string | undefined;
let effectsFile = '';
let broker: NatsServer | undefined;
let brokerPort = 0;
const running = new Set<RunningService>();

/** The producer's route: publishes ParcelShipped through the publisher `npx plop event` wrote, its default transport. */
const SHIP_ROUTE = `import type { FastifyPluginAsync } from 'fastify';
import { publishParcelShipped } from '../events/parcel-shipped/publisher';

export const shipParcel: FastifyPluginAsync = async (app) => {
  app.post<{ Body: { id: string } }>(
    '/parcels',
    { schema: { body: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } } } },
    async (request, reply) => {
      const event = await publishParcelShipped({ id: request.body.id });
      return reply.code(202).send({ eventId: event.id });
    },
  );
};
`;

/**
 * The consumer's team code: its own check of the producer's event, and a handler whose effect (a line in
 * EFFECTS_FILE) is idempotent by event id, as handlers must be. HOLD_PARCEL makes it hang on one parcel.
 */
const CONSUMER_EVENT = `import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import { readEnv, text, type EventEnvelope, type EventSubscription } from '../chassis';

export const PARCEL_SHIPPED = '${PARCEL_SHIPPED}';
type ParcelShipped = EventEnvelope<{ id: string }>;

const env = readEnv({ EFFECTS_FILE: text(), HOLD_PARCEL: text({ fallback: '-' }) }, process.env);

function problems(message: unknown): string[] {
  const event = message as Partial<ParcelShipped> | null;
  const found: string[] = [];
  if (event?.specversion !== '1.0') found.push('specversion must be "1.0"');
  if (event?.type !== PARCEL_SHIPPED) found.push(\`type must be \${PARCEL_SHIPPED}\`);
  for (const field of ['id', 'correlationid', 'traceparent'] as const) {
    if (typeof event?.[field] !== 'string') found.push(\`\${field} must be a string\`);
  }
  if (typeof event?.data?.id !== 'string') found.push('data.id must be a string');
  return found;
}

export function parcelShippedSubscription(logger: FastifyBaseLogger): EventSubscription<ParcelShipped> {
  return {
    eventType: PARCEL_SHIPPED,
    problems,
    handle: async (event) => {
      logger.info({ parcel: event.data.id }, 'notifying about the parcel');
      if (event.data.id === env.HOLD_PARCEL) await new Promise(() => undefined);
      const done = existsSync(env.EFFECTS_FILE) ? readFileSync(env.EFFECTS_FILE, 'utf8').split('\\n') : [];
      if (!done.includes(event.id)) appendFileSync(env.EFFECTS_FILE, \`\${event.id}\\n\`);
    },
  };
}
`;

const CONSUMER_SUBSCRIPTIONS = `import type { FastifyBaseLogger } from 'fastify';
import type { EventSubscription } from './chassis';
import { parcelShippedSubscription } from './events/parcel-shipped';

export function subscriptions(logger: FastifyBaseLogger): EventSubscription[] {
  return [parcelShippedSubscription(logger)];
}
`;

async function generate(): Promise<void> {
  await succeeds('npx', 'nx', 'g', '@musiccorp/generators:service', PRODUCER, '--team=fulfilment', '--no-interactive');
  await succeeds('npx', 'nx', 'g', '@musiccorp/generators:service', CONSUMER, '--team=catalog', '--no-interactive');
  await succeeds('npx', 'plop', 'event', PRODUCER, 'ParcelShipped');
  await writeFile(servicePath(PRODUCER, 'src/routes/ship-parcel.ts'), SHIP_ROUTE);
  const routesIndex = servicePath(PRODUCER, 'src/routes/index.ts');
  const routes = (await readFile(routesIndex, 'utf8'))
    .replace(
      "import { items } from './items';",
      "import { items } from './items';\nimport { shipParcel } from './ship-parcel';",
    )
    .replace('await app.register(items);', 'await app.register(items);\n  await app.register(shipParcel);');
  await writeFile(routesIndex, routes);
  await mkdir(servicePath(CONSUMER, 'src/events'));
  await writeFile(servicePath(CONSUMER, 'src/events/parcel-shipped.ts'), CONSUMER_EVENT);
  await writeFile(servicePath(CONSUMER, 'src/subscriptions.ts'), CONSUMER_SUBSCRIPTIONS);
  await succeeds('npx', 'nx', 'run-many', '-t', 'build', '-p', `${PRODUCER},${CONSUMER}`, '--parallel=1');
}

async function startBroker(): Promise<NatsServer> {
  broker = await startNatsServer({ port: brokerPort, storeDir: storeDir ?? '' });
  return broker;
}

/** A built service on a free port, configured for the broker; ready once /health/ready is 200 (broker check included). */
async function start(service: string, env: Record<string, string> = {}): Promise<RunningService> {
  const process = await startService({
    cwd: servicePath(service),
    entry: 'dist/main.js',
    port: await freePort(),
    env: {
      BROKER_URL: `nats://127.0.0.1:${brokerPort}`,
      BROKER_ACK_WAIT_MS: '1000',
      EFFECTS_FILE: effectsFile,
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      ...env,
    },
    readyTimeoutMs: 20_000,
  });
  running.add(process);
  return process;
}

async function stop(service: RunningService, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | undefined> {
  const code = await service.stop(signal);
  running.delete(service);
  return code;
}

/** Waits for a condition that depends on other processes; fails naming it, never on how long it took. */
async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

async function ship(producer: RunningService, id: string): Promise<string> {
  const response = await fetch(`${producer.url}/parcels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': `e2e-${id}` },
    body: JSON.stringify({ id }),
  });
  expect(response.status, await response.clone().text()).toBe(202);
  return ((await response.json()) as { eventId: string }).eventId;
}

async function effects(): Promise<string[]> {
  const text = await readFile(effectsFile, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

async function readiness(service: RunningService): Promise<{ status: number; body: string }> {
  const response = await fetch(`${service.url}/health/ready`);
  return { status: response.status, body: await response.text() };
}

const consumed = (logs: LogLine[], outcome: string) =>
  logs.filter((line) => line.kind === 'event.consumed' && line.outcome === outcome).map((line) => line.eventId);

describe('events between services through NATS JetStream', () => {
  let producer: RunningService;
  let consumer: RunningService;

  beforeAll(async () => {
    scratch = await createScratchWorkspace('musiccorp-broker-');
    storeDir = await mkdtemp(join(tmpdir(), 'musiccorp-broker-store-'));
    effectsFile = join(storeDir, 'effects.txt');
    brokerPort = await freePort();
    await generate();
    await startBroker();
    built = true;
  });

  afterAll(async () => {
    for (const service of running) await service.stop('SIGKILL').catch(() => undefined);
    await broker?.stop();
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
    await scratch?.dispose();
  });

  it('redelivers the event a consumer was killed in the middle of, and its effect happens once', async (context) => {
    needsBuilt(context);
    producer = await start(PRODUCER);
    const first = await start(CONSUMER, { HOLD_PARCEL: HELD });
    const ids = [await ship(producer, 'parcel-1'), await ship(producer, HELD), await ship(producer, 'parcel-3')];
    await until('the consumer to be inside the handler of parcel-2', () =>
      first.logs.some((line) => line.msg === 'notifying about the parcel' && line.parcel === HELD),
    );
    expect(await stop(first, 'SIGKILL')).toBeUndefined();
    expect(await effects()).toEqual([ids[0]]);

    consumer = await start(CONSUMER);
    await until('all three effects', async () => (await effects()).length === 3);

    expect((await effects()).sort()).toEqual([...ids].sort());
    expect(consumed(first.logs, 'processed')).toEqual([ids[0]]);
    expect(consumed(consumer.logs, 'processed').sort()).toEqual([ids[1], ids[2]].sort());
    // The producer logged each publish once it had the broker's acknowledgement, in the request's correlation id.
    expect(
      producer.logs.filter((line) => line.kind === 'event.published').map((line) => [line.eventId, line.correlationId]),
    ).toEqual([
      [ids[0], 'e2e-parcel-1'],
      [ids[1], 'e2e-parcel-2'],
      [ids[2], 'e2e-parcel-3'],
    ]);
    // The consumer's lines carry the producer's correlation id.
    expect(consumer.logs.find((line) => line.kind === 'event.consumed' && line.eventId === ids[1])).toMatchObject({
      correlationId: 'e2e-parcel-2',
      eventType: PARCEL_SHIPPED,
      durationMs: expect.any(Number),
    });
  });

  it('answers readiness 503 while the broker is down, and recovers when it returns', async (context) => {
    needsBuilt(context);
    await broker?.stop();
    for (const service of [producer, consumer]) {
      await until('readiness 503', async () => (await readiness(service)).status === 503);
      expect(JSON.parse((await readiness(service)).body)).toMatchObject({
        status: 'failing',
        checks: [{ name: 'broker', status: 'fail', reason: expect.stringMatching(/the broker/) }],
      });
    }

    await startBroker();
    for (const service of [producer, consumer]) {
      await until('readiness 200 again', async () => (await readiness(service)).status === 200);
    }
    const afterwards = await ship(producer, 'parcel-4');
    await until('the effect of an event published after the broker returned', async () =>
      (await effects()).includes(afterwards),
    );
  });

  it('sends a bad envelope to the dead letters, with an error line carrying its correlation id', async (context) => {
    needsBuilt(context);
    const before = await effects();
    const badEnvelope = JSON.stringify({
      specversion: '1.0',
      id: 'bad-envelope-1',
      type: PARCEL_SHIPPED,
      correlationid: 'e2e-bad-envelope',
      data: { parcel: 'no id' },
    });
    const connection = await connect({ servers: `nats://127.0.0.1:${brokerPort}` });
    try {
      const client = jetstream(connection);
      await client.publish(`musiccorp.events.${PARCEL_SHIPPED}`, badEnvelope);
      await until('the dead-letter line', () => consumer.logs.some((line) => line.kind === 'event.dead-lettered'));

      expect(consumer.logs.filter((line) => line.kind === 'event.dead-lettered')).toEqual([
        expect.objectContaining({
          level: 'error',
          eventType: PARCEL_SHIPPED,
          eventId: 'bad-envelope-1',
          correlationId: 'e2e-bad-envelope',
          reason: 'invalid envelope: traceparent must be a string; data.id must be a string',
        }),
      ]);
      const manager = await jetstreamManager(connection);
      const stored = await manager.streams.getMessage('MUSICCORP_DEAD_LETTERS', {
        last_by_subj: `musiccorp.dead-letter.${CONSUMER}`,
      });
      expect(stored?.string()).toBe(badEnvelope);
      expect(stored?.header.get('MusicCorp-Dead-Letter-Reason')).toBe(
        'invalid envelope: traceparent must be a string; data.id must be a string',
      );
      expect(await effects()).toEqual(before);
    } finally {
      await connection.close();
    }
    // Shutdown drains: the consumer exits 0 with the event it holds settled.
    expect(await stop(consumer)).toBe(0);
    expect(await stop(producer)).toBe(0);
  });
});
