import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from './command';

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'create-workspace-cli-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

/** Runs `npm run create-workspace -- …` in-process, without a terminal, capturing what it prints. */
async function createWorkspace(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = { isTTY: false, write: (text: string) => (stdout += text) };
  const err = { write: (text: string) => (stderr += text) };
  const code = await main(argv, out, err, false);
  return { code, stdout, stderr };
}

describe('npm run create-workspace (the command)', () => {
  it('--help: the Usage line shows every option the help explains, --members too', async () => {
    const { code, stdout } = await createWorkspace('--help');
    expect(code).toBe(0);
    const usage = stdout.split('\n')[0] ?? '';
    expect(usage).toMatch(/^Usage: npm run create-workspace -- <dir> --team=<id> /);
    const explained = [...stdout.matchAll(/^ {2}(--[\w-]+)/gm)].map((match) => match[1] ?? '');
    expect(explained).toContain('--members');
    for (const option of explained.filter((option) => option !== '--help')) expect(usage).toContain(option);
  });

  it('a bad option: what is wrong, then the usage; exit 2 and nothing created', async () => {
    const result = await createWorkspace(join(parent, 'royalties'), '--team=royalties', '--member=alice');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^create-workspace: Unknown option '--member'\. Did you mean --members\?\n\nUsage: npm run create-workspace -- /,
    );
    expect(readdirSync(parent)).toEqual([]);
  });

  it('a missing team without a terminal: exit 2 naming the flag, nothing created', async () => {
    const result = await createWorkspace(join(parent, 'royalties'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('create-workspace: Missing --team (no terminal to ask in)');
    expect(readdirSync(parent)).toEqual([]);
  });
});
