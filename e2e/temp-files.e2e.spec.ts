/**
 * Tests remove what they create, checked on a real run: a service's whole `vitest run` in a child process whose
 * TMPDIR is a private empty folder. Only that run's own temp files can land there, whatever other processes on the
 * machine create meanwhile in /tmp; none may be left — in particular no chassis-logs-* folder of the log-file tests.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';

const SERVICE = 'catalog';

it(`${SERVICE}'s tests leave nothing in the temp folder (no chassis-logs-* folder)`, async () => {
  const privateTmp = await mkdtemp(join(tmpdir(), 'musiccorp-temp-files-'));
  try {
    const { exitCode, all } = await execa('npx', ['vitest', 'run'], {
      cwd: join(WORKSPACE_ROOT, 'services', SERVICE),
      env: { TMPDIR: privateTmp, NO_COLOR: '1' },
      all: true,
      reject: false,
    });
    expect(exitCode, all).toBe(0);
    expect(await readdir(privateTmp), `left in the temp folder by services/${SERVICE}'s tests`).toEqual([]);
  } finally {
    await rm(privateTmp, { recursive: true, force: true });
  }
});
