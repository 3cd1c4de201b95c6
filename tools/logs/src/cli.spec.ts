/** The CLIs as real processes, started the way `npm run logs` / `npm run trace` start them (the bundle). */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { serviceLogFile } from './run-folder';
import { ORDER, createFixtureWorkspace, type FixtureWorkspace } from './testing/fixture-run';

const RUN = join(WORKSPACE_ROOT, 'tools', 'core', 'bin', 'run.mjs');
// Colour settings inherited from the test runner would make node warn on stderr; the CLI's own output is what's tested.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'FORCE_COLOR' && name !== 'NO_COLOR'),
);

let fixture: FixtureWorkspace;
beforeAll(() => {
  fixture = createFixtureWorkspace();
});
afterAll(() => fixture.dispose());

/** `sh -c <script>` in the fixture's root (no nx.json there: it is the root), with $RUN the launcher. */
function shell(script: string) {
  const result = spawnSync('sh', ['-c', script], {
    cwd: fixture.root,
    encoding: 'utf8',
    env: { ...env, RUN },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the logs and trace processes', () => {
  it('read the latest run of the folder they start in', () => {
    const logs = shell(`node "$RUN" logs/logs-cli --correlation=${ORDER} --level=error`);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('payment         ERROR card processor unreachable [order-42]');
    const trace = shell(`node "$RUN" logs/trace-cli ${ORDER}`);
    expect(trace.code).toBe(0);
    expect(trace.stdout).toMatch(/^trace order-42 · .* · 4 services/);
    const unknown = shell(`node "$RUN" logs/trace-cli order-0`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('npm run trace -- --list');
  });

  it('read what a shell pipes or redirects in, instead of the run', () => {
    const payment = serviceLogFile(fixture.runDir, 'payment');
    const piped = shell(`cat "${payment}" | node "$RUN" logs/logs-cli --json --level=error`);
    expect(
      piped.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).msg),
    ).toEqual(['card processor unreachable']);
    expect(piped.stderr).toContain('of stdin');
    expect(shell(`node "$RUN" logs/logs-cli --json < "${payment}"`).stderr).toContain('of stdin');
  });

  it('do not wait for stdin a Node parent left open (a socket, not a pipe): they read the run', async () => {
    const child = spawn(process.execPath, [RUN, 'logs/logs-cli', '--json', `--correlation=${ORDER}`], {
      cwd: fixture.root,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    child.stdin.destroy();
    expect(code).toBe(0);
    expect(stderr).toContain(`of run .musiccorp/runs/${fixture.runId}`);
  });

  it('--follow stops cleanly on SIGINT: what it read is out, the summary on stderr, exit 0', async () => {
    const child = spawn(process.execPath, [RUN, 'logs/logs-cli', '--follow', `--correlation=${ORDER}`], {
      cwd: fixture.root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('customer notified')) resolve();
      }),
    );
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    expect(stderr).toMatch(/^logs: \d+ matching lines; /m);
  });

  it('stop quietly when the reader of their output goes away (`| head`)', () => {
    const big = join(fixture.root, 'big.log');
    const line = JSON.stringify({ level: 'info', time: 1, service: 'catalog', msg: 'x'.repeat(200) });
    writeFileSync(big, `${Array.from({ length: 20_000 }, () => line).join('\n')}\n`);
    const result = shell(`node "$RUN" logs/logs-cli "${big}" | head -n 1`);
    expect(result.stdout.split('\n')[0]).toContain('catalog');
    expect(result.stderr).toBe('');
  });
});
