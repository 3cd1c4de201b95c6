/**
 * `npm run dev` as a developer runs it, in a scratch copy of this workspace: the real command starts the broker and
 * two services, prints their lines as one stream (and keeps them on disk), restarts a service when its code changes,
 * and on Ctrl-C (SIGINT) stops every process it started and frees every port. Bad input changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { freePort } from '@musiccorp/core/service-process';
import { portsInUse } from '@musiccorp/dev/dev/ports';
import { startSystem } from '@musiccorp/dev/system/running-system';
import { forgetOuterNxTask, scratchCommands } from './support';

forgetOuterNxTask();

let scratch: ScratchWorkspace | undefined;
function workspace(): ScratchWorkspace {
  if (!scratch) throw new Error('the scratch workspace was not created');
  return scratch;
}
const { fails } = scratchCommands(workspace);

beforeAll(async () => {
  scratch = await createScratchWorkspace('musiccorp-dev-');
});
afterAll(() => scratch?.dispose());

/** Processes whose command line mentions the scratch workspace: what dev started and must have stopped. */
function processesIn(root: string): string[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  return lines.filter((line) => line.includes(root) && !line.includes('vitest'));
}

describe('npm run dev', () => {
  it('starts the broker and the services, streams their lines, reloads on change, and stops everything on Ctrl-C', async () => {
    const root = workspace().root;
    const brokerPort = await freePort();
    const dev = await startSystem({
      cwd: root,
      args: ['catalog', 'payment', `--broker-port=${brokerPort}`],
      env: workspace().env,
    });
    onTestFinished(() => dev.stop().then(() => undefined)); // also when an expectation fails midway
    const { output, waitFor } = dev;
    expect(output()).toMatch(/▸ catalog: ready on http:\/\/127\.0\.0\.1:3100/);
    expect(output()).toMatch(/▸ payment: ready on http:\/\/127\.0\.0\.1:3103/);

    // Any request gets its line (an unknown path too, which needs nothing of the service's own routes).
    const answer = await fetch('http://127.0.0.1:3100/no-such-path', { headers: { 'x-correlation-id': 'dev-spec-1' } });
    expect(answer.status).toBe(404);
    await waitFor(/catalog +INFO +request completed \[dev-spec-1\]/);

    // A change to the service's code restarts it; it is ready again on the same port.
    const before = output().length;
    await appendFile(join(root, 'services/catalog/src/routes/index.ts'), '\n// changed while dev runs\n');
    await waitFor(/▸ catalog: reloaded, ready again/, { from: before });
    expect((await fetch('http://127.0.0.1:3100/health/ready')).status).toBe(200);

    // Ctrl-C: npm itself ends by the signal, as in a terminal; dev reports its own clean stop.
    await dev.stop();
    expect(output()).toMatch(/stopped: every process ended, ports .*3100, 3103 free/);
    expect(processesIn(root)).toEqual([]);
    const ports = [brokerPort, 3100, 3103].map((port) => ({ port, what: String(port) }));
    expect(await portsInUse(ports)).toEqual([]);

    const [run] = readdirSync(join(root, '.musiccorp/runs'));
    const lines = readFileSync(join(root, '.musiccorp/runs', run ?? '', 'catalog.log'), 'utf8')
      .trim()
      .split('\n');
    const parsed = lines.map((line) => JSON.parse(line) as { correlationId?: string; msg?: string });
    expect(parsed.filter((line) => line.correlationId === 'dev-spec-1').map((line) => line.msg)).toContain(
      'request completed',
    );
    expect(parsed.at(-1)?.msg).toBe('shutdown complete');
  });

  it('refuses an unknown service or a busy port before starting anything', async () => {
    expect(await fails('npm', 'run', 'dev', '--', 'nosuch')).toMatch(
      /No service named nosuch\. The services: catalog, customer, inventory, order-processor, payment/,
    );
    const holder = createServer().listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as { port: number };
    try {
      expect(await fails('npm', 'run', 'dev', '--', 'catalog', `--broker-port=${port}`)).toMatch(
        new RegExp(`port ${port} \\(the broker \\(--broker-port\\)\\) already in use: stop what holds it`),
      );
    } finally {
      holder.close();
    }
    expect(processesIn(workspace().root)).toEqual([]);
  });
});
