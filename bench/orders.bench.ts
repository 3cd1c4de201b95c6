/**
 * npm run bench:orders [-- --duration=20 --connections=50]
 *
 * MusicCorp under load: `npm run dev` starts the broker and the five services (tsx, LOG_LEVEL=info: every request's
 * lines written to the run's log files), then autocannon sends `POST /orders` to order-processor — each order a saga
 * over catalog (price), inventory (reserve) and payment (charge), then OrderPlaced to customer — with a correlation id
 * per request. Anchor, in the same run: one hop, `GET /albums/<sku>` straight to catalog, at the same connections
 * and duration. Reported: req/s, p50/p99, errors (target 0), and where the slowest 1 % of orders spent their time,
 * from their traces (each hop's http.client duration over the order's http.server duration).
 *
 * Before the load the bench registers a customer and receives enough stock (inventory's POST /stock/:sku/receipts)
 * for every order the load can place. Bounded: one load of --duration seconds each, on 127.0.0.1. Prints a markdown
 * table and saves bench/results/orders.md + orders.json. Exits 0 unless the benchmark itself broke.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { countFlag, parseFlags, resultsFileFlag, runBenchmark } from './lib/cli';
import { WORKSPACE_ROOT } from './lib/paths';
import { environment, evaluate, saveResult } from './lib/report';
import { mean, percentile } from './lib/stats';
import { log } from './lib/util';

// tools/ is ESM ("type": "module") and bench/ runs as CommonJS under tsx: load it with a dynamic import.
type RunningSystemModule = typeof import('@musiccorp/dev/system/running-system');
type SampleOrdersModule = typeof import('@musiccorp/dev/system/sample-orders');
type RunFolderModule = typeof import('@musiccorp/logs/run-folder');
type ScanModule = typeof import('@musiccorp/logs/scan');
type FilterModule = typeof import('@musiccorp/logs/filter');
type InputsModule = typeof import('@musiccorp/logs/inputs');
type LogRecordModule = typeof import('@musiccorp/logs/log-record');

const ORDER_PROCESSOR = 'http://127.0.0.1:3102';
const CATALOG = 'http://127.0.0.1:3100';
const INVENTORY = 'http://127.0.0.1:3101';
const CUSTOMER = 'http://127.0.0.1:3104';
/** inventory's largest receipt; enough receipts are sent to cover the most orders the load could place. */
const RECEIPT_UNITS = 1_000_000;
const PEERS = ['catalog', 'inventory', 'payment'] as const;

interface Load {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  total: number;
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

async function load(
  url: string,
  options: { connections: number; duration: number; method?: string; body?: unknown; correlationPrefix: string },
): Promise<Load> {
  let sequence = 0;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    method: (options.method ?? 'GET') as 'GET',
    headers: { 'content-type': 'application/json' },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, 'x-correlation-id': `${options.correlationPrefix}-${sequence++}` },
        }),
      },
    ],
  });
  return {
    requestsPerSec: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
  };
}

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

interface HopShare {
  orders: number;
  /** Mean share of the order's own duration, per peer call and the rest (order-processor itself, the event). */
  share: Record<string, number>;
}

/** The slowest 1 % of orders (by their http.server line) and the share of their time each hop took. */
async function hopShares(runDir: string, prefix: string): Promise<HopShare> {
  const { Scan, newStats } = (await import('@musiccorp/logs/scan')) as ScanModule;
  const { createFilter } = (await import('@musiccorp/logs/filter')) as FilterModule;
  const { resolveInputs } = (await import('@musiccorp/logs/inputs')) as InputsModule;
  const { numberField, stringField } = (await import('@musiccorp/logs/log-record')) as LogRecordModule;
  const inputs = resolveInputs({ root: WORKSPACE_ROOT, run: runDir, paths: [] });
  const orders = new Map<string, { total?: number; peers: Record<string, number> }>();
  await new Scan(
    inputs,
    createFilter({ services: ['order-processor'], textLines: false }),
    newStats(),
    undefined,
  ).toEnd(async (batch) => {
    for (const { record } of batch) {
      const id = record && stringField(record, 'correlationId');
      if (!record || !id?.startsWith(prefix)) continue;
      const entry = orders.get(id) ?? { peers: {} };
      const kind = stringField(record, 'kind');
      const duration = numberField(record, 'durationMs') ?? 0;
      if (kind === 'http.server') entry.total = duration;
      if (kind === 'http.client') {
        const port = new URL(stringField(record, 'url') ?? 'http://x').port;
        const peer = { '3100': 'catalog', '3101': 'inventory', '3103': 'payment' }[port] ?? 'other';
        entry.peers[peer] = (entry.peers[peer] ?? 0) + duration;
      }
      orders.set(id, entry);
    }
  });
  const complete = [...orders.values()].filter((entry) => entry.total !== undefined && entry.total > 0);
  const threshold = percentile(
    complete.map((entry) => entry.total ?? 0),
    99,
  );
  const slowest = complete.filter((entry) => (entry.total ?? 0) >= threshold);
  const share: Record<string, number> = {};
  for (const peer of PEERS) share[peer] = mean(slowest.map((entry) => (entry.peers[peer] ?? 0) / (entry.total ?? 1)));
  share['order-processor itself'] = 1 - PEERS.reduce((sum, peer) => sum + (share[peer] ?? 0), 0);
  return { orders: slowest.length, share };
}

async function main(): Promise<void> {
  const flags = parseFlags('npm run bench:orders --', {
    duration: countFlag(20, 'seconds of load, each (orders, then the one-hop anchor)'),
    connections: countFlag(50, 'autocannon connections'),
    out: resultsFileFlag('orders'),
  });
  const { startSystem } = (await import('@musiccorp/dev/system/running-system')) as RunningSystemModule;
  const { ACCEPTED_TEST_CARD, SAMPLE_SKU } =
    (await import('@musiccorp/dev/system/sample-orders')) as SampleOrdersModule;
  const { latestRun, runFolder } = (await import('@musiccorp/logs/run-folder')) as RunFolderModule;
  const env = await environment();

  log('starting the broker and the five services (npm run dev)…');
  const system = await startSystem({ cwd: WORKSPACE_ROOT, args: ['--log-level=info'] });
  let orders: Load;
  let anchor: Load;
  try {
    const customer = await post(`${CUSTOMER}/customers`, { name: 'Bench', email: `bench-${randomUUID()}@example.com` });
    if (customer.status !== 201) throw new Error(`POST /customers answered ${customer.status}`);
    // Far more than the load can order: one receipt per million units.
    const receipts = Math.ceil((flags.duration * 5_000) / RECEIPT_UNITS);
    for (let i = 0; i < receipts; i++) {
      const received = await post(`${INVENTORY}/stock/${SAMPLE_SKU}/receipts`, {
        receiptId: randomUUID(),
        quantity: RECEIPT_UNITS,
      });
      if (received.status !== 201) throw new Error(`POST /stock/${SAMPLE_SKU}/receipts answered ${received.status}`);
    }
    const order = {
      customerId: customer.json['customerId'],
      items: [{ sku: SAMPLE_SKU, quantity: 1 }],
      cardNumber: ACCEPTED_TEST_CARD,
    };

    log(`POST /orders: ${flags.connections} connections for ${flags.duration} s…`);
    orders = await load(`${ORDER_PROCESSOR}/orders`, {
      connections: flags.connections,
      duration: flags.duration,
      method: 'POST',
      body: order,
      correlationPrefix: 'bench-order',
    });
    log(`anchor, one hop: GET /albums/${SAMPLE_SKU} on catalog, the same load…`);
    anchor = await load(`${CATALOG}/albums/${SAMPLE_SKU}`, {
      connections: flags.connections,
      duration: flags.duration,
      correlationPrefix: 'bench-album',
    });
  } finally {
    // Every log line on disk before the traces are read: dev closes its files on stop.
    await system.stop();
  }
  const run = latestRun(WORKSPACE_ROOT);
  if (run === undefined) throw new Error('npm run dev left no run folder');
  const hops = await hopShares(runFolder(WORKSPACE_ROOT, run), 'bench-order');
  const shares = Object.entries(hops.share)
    .map(([hop, value]) => `${hop} ${(value * 100).toFixed(0)} %`)
    .join(', ');

  const rows = [
    evaluate({
      metric: 'requests/s',
      unit: 'req/s',
      ours: orders.requestsPerSec,
      anchor: anchor.requestsPerSec,
      digits: 0,
    }),
    evaluate({ metric: 'latency p50', unit: 'ms', ours: orders.p50Ms, anchor: anchor.p50Ms, digits: 1 }),
    evaluate({ metric: 'latency p99', unit: 'ms', ours: orders.p99Ms, anchor: anchor.p99Ms, digits: 1 }),
    evaluate({
      metric: 'errors (connection errors, timeouts and non-2xx answers)',
      unit: 'requests',
      ours: orders.errors + orders.non2xx,
      anchor: anchor.errors + anchor.non2xx,
      digits: 0,
      target: { on: 'ours', op: '<=', value: 0, label: '0' },
    }),
  ];
  await saveResult({
    benchmark: 'orders',
    file: flags.out,
    title: 'POST /orders across the running services',
    ours: 'POST /orders on order-processor: catalog, inventory and payment over HTTP, OrderPlaced to customer over NATS',
    anchor: `GET /albums/${SAMPLE_SKU} on catalog alone (one hop), same connections and duration, same run`,
    anchorName: 'one hop',
    env,
    config: { duration: flags.duration, connections: flags.connections, logLevel: 'info', runner: 'npm run dev (tsx)' },
    rows,
    notes: [
      `Orders: ${orders.total} requests, status codes ${JSON.stringify(orders.statusCodes)}; anchor: ${anchor.total}, ${JSON.stringify(anchor.statusCodes)}.`,
      `Where the slowest 1 % of orders (${hops.orders}, at or above their p99 as order-processor logged it) spent their time, from their traces: ${shares}.`,
      'Both loads, the five services, the broker and autocannon share the machine: the ratio is the cost of the saga against one hop on the same cores, not an absolute capacity.',
    ],
    raw: { orders, anchor, hops },
  });
}

runBenchmark('orders', main);
