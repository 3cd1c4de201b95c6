/**
 * MusicCorp as a running system, in a scratch copy of this workspace: `npm run dev` starts the real broker and the
 * five services as real processes on 127.0.0.1; a customer orders an album (paid) and again with the declined test
 * card. Every hop logs the request's correlation id, `npm run trace` lists the hops in causal order — the saga's calls
 * to catalog, inventory and payment under order-processor's request, OrderPlaced consumed by customer under its
 * publication — and the declined order shows its compensation: the stock released.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { freePort } from '@musiccorp/core/service-process';
import type { Trace, TraceNode } from '@musiccorp/logs/trace';
import { startSystem, type RunningSystem } from '@musiccorp/dev/system/running-system';
import { placeSampleOrders, type SampleOrders } from '@musiccorp/dev/system/sample-orders';
import { flattenTrace, waitForTrace } from '@musiccorp/dev/system/traces';
import { forgetOuterNxTask } from './support';

forgetOuterNxTask();

let scratch: ScratchWorkspace | undefined;
let system: RunningSystem | undefined;
let orders: SampleOrders | undefined;

beforeAll(async () => {
  scratch = await createScratchWorkspace('musiccorp-system-');
  system = await startSystem({ cwd: scratch.root, args: [`--broker-port=${await freePort()}`], env: scratch.env });
  orders = await placeSampleOrders({ customer: 'http://127.0.0.1:3104', orderProcessor: 'http://127.0.0.1:3102' });
});
afterAll(async () => {
  await system?.stop();
  await scratch?.dispose();
});

function placed(): SampleOrders {
  if (!orders) throw new Error('the orders were not placed');
  return orders;
}

/** `npm run trace -- <id> --json` as a developer runs it, in the scratch workspace (the latest run's lines). */
async function trace(correlationId: string): Promise<Trace> {
  if (!scratch) throw new Error('the scratch workspace was not created');
  const { stdout } = await scratch.run('npm', ['run', '-s', 'trace', '--', correlationId, '--json']);
  return JSON.parse(stdout) as Trace;
}

/** The span-opening hops under a node, depth first, as `service kind`. */
const hops = (node: TraceNode): string[] =>
  node.children
    .filter((child) => child.kind.startsWith('http.') || child.kind.startsWith('event.'))
    .flatMap((child) => [`${child.service} ${child.kind}`, ...hops(child)]);

describe('MusicCorp running', () => {
  it('places an order across order-processor, catalog, inventory and payment, and customer consumes OrderPlaced', async () => {
    const { placed: order } = placed();
    expect(order.status, JSON.stringify(order.body)).toBe(201);

    // OrderPlaced is consumed after the answer: wait for it, then read the trace as a developer would.
    await waitForTrace(scratch?.root ?? '', order.correlationId, (nodes) =>
      nodes.some((node) => node.service === 'customer' && node.kind === 'event.consumed'),
    );
    const result = await trace(order.correlationId);
    expect(result.services).toEqual(['catalog', 'customer', 'inventory', 'order-processor', 'payment']);
    expect(result.orphans).toBe(0);
    expect(result.errors).toBe(0);

    const [root] = result.roots;
    expect(root).toMatchObject({ service: 'order-processor', kind: 'http.server', what: 'POST /orders → 201' });
    // In causal order: each call, then the callee's request under it; the event published, then consumed.
    expect(hops(root as TraceNode)).toEqual([
      'order-processor http.client',
      'catalog http.server',
      'order-processor http.client',
      'inventory http.server',
      'order-processor http.client',
      'payment http.server',
      'order-processor event.published',
      'customer event.consumed',
    ]);
  });

  it('answers 402 to a declined card and releases the reserved stock, the compensation marked in the trace', async () => {
    const { declined } = placed();
    expect(declined.status, JSON.stringify(declined.body)).toBe(402);

    const result = await trace(declined.correlationId);
    const nodes = flattenTrace(result.roots);
    expect(nodes.find((node) => node.service === 'payment' && node.kind === 'http.server')?.what).toMatch(/→ 402$/);
    const compensations = nodes.filter((node) => node.compensation);
    expect(compensations.map((node) => node.service)).toContain('inventory');
    expect(result.compensations).toBeGreaterThan(0);
    // Nothing was ordered: no OrderPlaced.
    expect(nodes.some((node) => node.kind === 'event.published')).toBe(false);
  });
});
