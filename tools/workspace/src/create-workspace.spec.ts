import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { UsageError } from '@musiccorp/core/cli';
import { createWorkspace } from './create-workspace';
import type { CreateWorkspaceArgs } from './options';

let parent: string;
let output: string[];
const io = () => ({ out: { isTTY: false, write: (text: string) => output.push(text) }, interactive: false });
const args = (overrides: Partial<CreateWorkspaceArgs>): CreateWorkspaceArgs => ({
  dir: join(parent, 'royalties'),
  team: 'royalties',
  members: 'royalties-lead',
  install: false,
  git: false,
  help: false,
  ...overrides,
});

beforeEach(() => {
  parent = mkdtempSync(join(tmpdir(), 'create-workspace-'));
  output = [];
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

describe('createWorkspace', () => {
  it('builds the workspace beside the target and moves it into place: no temporary folder is left', async () => {
    const created = await createWorkspace(args({}), io());
    expect(created.target).toBe(join(parent, 'royalties'));
    expect(readdirSync(parent)).toEqual(['royalties']);
    expect(JSON.parse(readFileSync(join(parent, 'royalties', 'platform', 'teams.json'), 'utf8'))).toMatchObject({
      defaultOwner: 'royalties',
    });
    expect(output.join('')).toMatch(/✔ Compose the workspace from the platform .* · \d+ files/);
    expect(output.join('')).toContain('– npm install  skipped: --no-install');
  });

  it('takes an existing empty folder', async () => {
    mkdirSync(join(parent, 'royalties'));
    await createWorkspace(args({}), io());
    expect(existsSync(join(parent, 'royalties', 'nx.json'))).toBe(true);
  });

  describe('refuses, naming the fix, and creates nothing', () => {
    const refusals: Array<[string, Partial<CreateWorkspaceArgs>, RegExp]> = [
      [
        'a bad team id',
        { team: 'Royalties_Team' },
        /Team id "Royalties_Team" must be kebab-case.*Try "royalties-team"/,
      ],
      [
        'a bad team id, before asking for members',
        { team: 'Royalties_Team', members: undefined },
        /must be kebab-case/,
      ],
      ['the platform team', { team: 'platform' }, /--team=platform is the platform team/],
      ['an unlisted team without members', { members: undefined }, /Missing --members \(no terminal to ask in\)/],
      ['a handle of another organisation', { handle: '@acme/royalties' }, /--handle must be "@musiccorp\/royalties"/],
      ['no team at all', { team: undefined }, /Missing --team/],
      [
        'a missing parent folder',
        { dir: '/nonexistent-parent/royalties' },
        /parent folder \/nonexistent-parent does not exist/,
      ],
    ];
    it.each(refusals)('%s', async (_, overrides, message) => {
      const run = createWorkspace(args(overrides), io());
      await expect(run).rejects.toThrow(UsageError);
      await expect(run).rejects.toThrow(message);
      expect(readdirSync(parent)).toEqual([]);
    });

    it('a non-empty folder: left exactly as it was', async () => {
      mkdirSync(join(parent, 'royalties'));
      writeFileSync(join(parent, 'royalties', 'notes.txt'), 'mine\n');
      await expect(createWorkspace(args({}), io())).rejects.toThrow(
        /royalties is not empty \(1 entry: notes\.txt\)\. Choose a new folder, or empty this one first\./,
      );
      expect(readdirSync(parent)).toEqual(['royalties']);
      expect(readdirSync(join(parent, 'royalties'))).toEqual(['notes.txt']);
    });
  });

  it('a failure in the middle (npm install) removes the half-built workspace', async () => {
    // An empty cache and no network: npm fails fast with ENOTCACHED after the files were written.
    const saved = { cache: process.env['npm_config_cache'], offline: process.env['npm_config_offline'] };
    process.env['npm_config_cache'] = join(parent, '.empty-npm-cache');
    process.env['npm_config_offline'] = 'true';
    try {
      await expect(createWorkspace(args({ install: true }), io())).rejects.toThrow(/npm install failed/);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[`npm_config_${key}`];
        else process.env[`npm_config_${key}`] = value;
      }
    }
    expect(output.join('')).toContain('✔ Write the files');
    expect(readdirSync(parent).filter((entry) => entry !== '.empty-npm-cache')).toEqual([]);
  });

  it('Ctrl-C during npm install: exit code 130, nothing left behind', async () => {
    const child = execa('node', ['--import', 'tsx', 'src/cli.ts', join(parent, 'royalties'), '--team=catalog'], {
      cwd: join(__dirname, '..'),
      reject: false,
      env: { INIT_CWD: parent },
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('… npm install')) child.kill('SIGINT');
    });
    const result = await child;
    expect(result.stdout).toContain('… npm install');
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toMatch(/Interrupted \(SIGINT\)\. Nothing was created/);
    expect(readdirSync(parent)).toEqual([]);
  });
});
