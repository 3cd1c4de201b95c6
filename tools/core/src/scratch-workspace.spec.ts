import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { git } from './git';
import { createScratchWorkspace, WORKSPACE_ROOT } from './scratch-workspace';

describe('a scratch workspace', () => {
  it('runs Nx, reads the original commits by sha, and leaves nothing behind in the temp folder', async () => {
    // The Nx runs' temp folder: a private one, so no other process's temp files count.
    const privateTmp = mkdtempSync(join(tmpdir(), 'musiccorp-scratch-spec-tmp-'));
    try {
      const scratch = await createScratchWorkspace('musiccorp-scratch-spec-');
      try {
        const { stdout } = await scratch.run('npx', ['nx', 'show', 'projects'], { env: { TMPDIR: privateTmp } });
        expect(stdout.split('\n')).toEqual(expect.arrayContaining(['core', 'catalog']));
        // As specs start their own processes: without the outer run's NX_ variables, with the copy's env.
        const outside = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NX_')));
        await execa('npx', ['nx', 'show', 'projects'], {
          cwd: scratch.root,
          env: { ...outside, ...scratch.env, TMPDIR: privateTmp },
          extendEnv: false,
        });
        const original = git(WORKSPACE_ROOT, ['rev-parse', 'HEAD~1']).trim();
        expect((await scratch.run('git', ['cat-file', '-t', original])).stdout).toBe('commit');
        expect((await scratch.run('git', ['rev-list', '--count', 'HEAD'])).stdout).toBe('1');
      } finally {
        await scratch.dispose();
      }
      expect(existsSync(scratch.root)).toBe(false);
      expect(readdirSync(privateTmp), 'no nx-native-file-cache-* or anything else').toEqual([]);
    } finally {
      rmSync(privateTmp, { recursive: true, force: true });
    }
  });
});
