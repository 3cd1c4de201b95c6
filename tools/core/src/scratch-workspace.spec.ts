import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { git } from './git';
import { createScratchWorkspace, WORKSPACE_ROOT } from './scratch-workspace';

const nxCaches = () => readdirSync(tmpdir()).filter((entry) => entry.startsWith('nx-native-file-cache-'));

describe('a scratch workspace', () => {
  it('runs Nx, reads the original commits by sha, and leaves nothing behind in the temp folder', async () => {
    const before = nxCaches();
    const scratch = await createScratchWorkspace('musiccorp-scratch-spec-');
    try {
      const { stdout } = await scratch.run('npx', ['nx', 'show', 'projects']);
      expect(stdout.split('\n')).toEqual(expect.arrayContaining(['core', 'catalog']));
      const original = git(WORKSPACE_ROOT, ['rev-parse', 'HEAD~1']).trim();
      expect((await scratch.run('git', ['cat-file', '-t', original])).stdout).toBe('commit');
      expect((await scratch.run('git', ['rev-list', '--count', 'HEAD'])).stdout).toBe('1');
    } finally {
      await scratch.dispose();
    }
    expect(existsSync(scratch.root)).toBe(false);
    expect(nxCaches()).toEqual(before);
  });
});
