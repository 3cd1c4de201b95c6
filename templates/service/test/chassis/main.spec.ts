// Platform-owned: tests of the entry point (src/main.ts). Changes come from templates/service on upgrade, not by hand.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';

/** Children still running when a test ends (it failed before they exited): killed, so no run leaves a server behind. */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/** The real entry point in a child process, as the container runs it (through tsx instead of the bundle). */
function runMain(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: resolve(import.meta.dirname, '../..'),
    env: { PATH: process.env.PATH, ...env },
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, exited };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('main', () => {
  it('exits 1 printing one line that names the invalid variable', async () => {
    const { code, stdout, stderr } = await runMain({ PORT: 'abc', LOG_LEVEL: 'loud' }).exited;
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'Invalid configuration: PORT must be an integer from 1 to 65535 (got "abc"); LOG_LEVEL must be one of fatal|error|warn|info|debug|trace|silent (got "loud")\n',
    );
  });

  it('serves, and on SIGTERM exits 0 with every log line written', { timeout: 20_000 }, async () => {
    const port = await freePort();
    const { child, exited } = runMain({ PORT: String(port), HOST: '127.0.0.1' });
    const base = `http://127.0.0.1:${port}`;
    for (let attempt = 0; ; attempt += 1) {
      const status = await fetch(`${base}/health/ready`).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) break;
      if (attempt > 200) throw new Error('service never became ready');
      await sleep(50);
    }

    expect(
      (await fetch(`${base}/no-such-route`, { headers: { 'x-correlation-id': 'right-before-sigterm' } })).status,
    ).toBe(404);
    child.kill('SIGTERM');
    const { code, stdout } = await exited;

    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'request completed', correlationId: 'right-before-sigterm', status: 404 }),
    );
    expect(lines.at(-1)).toMatchObject({ msg: 'shutdown complete', level: 'info' });
  });
});
