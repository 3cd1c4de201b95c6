/**
 * The demo's last part: MusicCorp running. `npm run dev` starts the broker and the five services; a customer orders
 * an album (paid) and again with the declined test card; `npm run trace` prints both requests across the services.
 */
import { execa } from 'execa';
import { freePort } from '@musiccorp/core/service-process';
import { startSystem } from './running-system';
import { placeSampleOrders, type Call } from './sample-orders';
import { waitForTrace } from './traces';

export interface DemoIo {
  step: (title: string) => void;
  print: (text: string) => void;
  indent: (text: string) => string;
}

export async function demoRunningSystem(root: string, { step, print, indent }: DemoIo): Promise<void> {
  step('MusicCorp running: npm run dev (the broker and the five services, in dependency order)');
  const system = await startSystem({ cwd: root, args: [`--broker-port=${await freePort()}`] });
  try {
    print(indent(statusLines(system.output())));

    step('A customer registers, then orders "Kind of Blue" twice: paid, and with the declined test card');
    const orders = await placeSampleOrders({
      customer: 'http://127.0.0.1:3104',
      orderProcessor: 'http://127.0.0.1:3102',
    });
    for (const call of [orders.customer, orders.placed, orders.declined]) print(indent(describe(call)));
    if (orders.placed.status !== 201 || orders.declined.status !== 402) {
      throw new Error('The orders did not answer 201 (paid) and 402 (declined): see the lines above.');
    }
    // OrderPlaced reaches customer after the answer: wait (bounded) until its consumption is logged.
    await waitForTrace(root, orders.placed.correlationId, (nodes) =>
      nodes.some((node) => node.service === 'customer' && node.kind === 'event.consumed'),
    );

    for (const call of [orders.placed, orders.declined]) {
      step(`npm run trace -- ${call.correlationId}`);
      const traced = await execa('npm', ['run', '-s', 'trace', '--', call.correlationId], { cwd: root, reject: false });
      print(indent(traced.stdout || traced.stderr));
      if (traced.exitCode !== 0) throw new Error(`npm run trace exited with ${traced.exitCode}.`);
    }
  } finally {
    step('Ctrl-C: npm run dev stops every process it started');
    print(
      indent(
        statusLines(await system.stop())
          .split('\n')
          .slice(-2)
          .join('\n'),
      ),
    );
  }
}

/** dev's own `▸` lines: the broker, each service ready, the run folder. */
const statusLines = (output: string) =>
  output
    .split('\n')
    .filter((line) => line.startsWith('▸'))
    .join('\n');

function describe(call: Call): string {
  const body = JSON.stringify(call.body);
  return `${call.request} → ${call.status}  x-correlation-id: ${call.correlationId}\n  ${body.length > 300 ? `${body.slice(0, 300)}…` : body}`;
}
