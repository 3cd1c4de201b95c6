import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startNatsServer } from './nats-server';
import { freePort } from './service-process';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function storeDir(): string {
  const folder = mkdtempSync(join(tmpdir(), 'nats-server-spec-'));
  folders.push(folder);
  return folder;
}

/** Whether something accepts TCP connections on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('startNatsServer', () => {
  it('starts a JetStream server on 127.0.0.1 that accepts clients, and stops it', async () => {
    const port = await freePort();
    const server = await startNatsServer({ port, storeDir: storeDir() });
    expect(server.url).toBe(`nats://127.0.0.1:${port}`);
    expect(await accepts(port)).toBe(true);
    await server.stop();
    expect(await accepts(port)).toBe(false);
  });

  it('fails with the server output when the port is taken', async () => {
    const port = await freePort();
    const first = await startNatsServer({ port, storeDir: storeDir() });
    try {
      await expect(startNatsServer({ port, storeDir: storeDir() })).rejects.toThrow(
        /exited with code 1[\s\S]*address already in use/,
      );
    } finally {
      await first.stop();
    }
  });
});
