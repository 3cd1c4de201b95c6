// Platform-owned: tests of the entry point (src/main.ts). Changes come from templates/service on upgrade, not by hand.
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, get, killRunningMains, runMain, untilReady } from './processes';

afterEach(killRunningMains);

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
    await untilReady(port);

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

  it('answers readiness 503 naming the broker while it is unreachable, and still shuts down cleanly', async () => {
    const [port, brokerPort] = [await freePort(), await freePort()];
    const broker = `nats://127.0.0.1:${brokerPort}`;
    const { child, exited } = runMain({ PORT: String(port), BROKER_URL: broker, SHUTDOWN_DRAIN_DELAY_MS: '0' });
    let ready = await get(port, '/health/ready').catch(() => undefined);
    for (let attempt = 0; !ready && attempt < 300; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ready = await get(port, '/health/ready').catch(() => undefined);
    }

    expect(ready?.status).toBe(503);
    expect(JSON.parse(ready?.body ?? '{}')).toEqual({
      status: 'failing',
      checks: [
        {
          name: 'broker',
          status: 'fail',
          durationMs: expect.any(Number),
          reason: expect.stringContaining(`the broker at ${broker}`),
        },
      ],
    });
    expect((await get(port, '/health/live')).status).toBe(200);
    child.kill('SIGTERM');
    expect((await exited).code).toBe(0);
  });
});
