/**
 * `npm run platform-upgrade` end to end: a per-team workspace created (`--no-install`, node_modules linked) from a
 * scratch copy of this platform, with a service and the team's edits, then upgraded to a newer platform commit made
 * in the copy — a dry run that writes nothing, the team's edit merged, a conflict with git's markers that the
 * workspace's `npm test` refuses until it is resolved, a file added and one removed, the package versions and
 * platform.json updated — and then `nx g upgrade --all` carrying the service onto the new template.
 */
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { createScratchWorkspace, linkNodeModules, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { unresolvedUpgradeConflicts } from '@musiccorp/core/workspace/conflicts';
import { forgetOuterNxTask, scratchCommands } from './support';

const TEAM = 'royalties';
const SERVICE = 'album-ledger';
const MERGED = 'generators/src/upgrade/README.md'; // the platform edits its first line, the team adds a last one
const CONFLICTED = '.github/README.md'; // both edit its first line
const ADDED = '.ci/e2e-check';
const REMOVED = 'deploy/README.md';
const LOGGER = 'src/chassis/logger.ts';
const TEAM_NOTE = "The royalties team's note on upgrades.";
const LOGGER_NOTE = '// Revised by the platform release the team upgrades to.';

forgetOuterNxTask();

let scratch: ScratchWorkspace | undefined;
let parent: string | undefined;
let oldRelease = '';
let newRelease = '';
function platform(): ScratchWorkspace {
  if (!scratch) throw new Error('the scratch platform was not created');
  return scratch;
}
const team = (...segments: string[]) => join(parent ?? '', `${TEAM}-services`, ...segments);
const { succeeds: inPlatform } = scratchCommands(platform);
/** A command in the team workspace: exit code and output, colours off. */
async function inTeam(command: string, ...args: string[]): Promise<{ exitCode: number; output: string }> {
  const result = await execa(command, args, {
    cwd: team(),
    env: { ...platform().env, FORCE_COLOR: '0', NX_TUI: 'false' },
    reject: false,
    all: true,
  });
  return { exitCode: result.exitCode ?? -1, output: result.all ?? '' };
}
async function teamSucceeds(command: string, ...args: string[]): Promise<string> {
  const { exitCode, output } = await inTeam(command, ...args);
  expect(exitCode, `${command} ${args.join(' ')}\n${output}`).toBe(0);
  return output;
}
async function commitAll(message: string): Promise<void> {
  await teamSucceeds('git', 'add', '-A');
  await teamSucceeds('git', '-c', 'user.name=E2E', '-c', 'user.email=e2e@musiccorp.example', 'commit', '-qm', message);
  expect(await teamSucceeds('git', 'status', '--porcelain')).toBe('');
}
const edit = async (file: string, change: (text: string) => string) =>
  writeFile(file, change(await readFile(file, 'utf8')));
const platformUpgrade = (...args: string[]) =>
  inTeam('npm', 'run', '-s', 'platform-upgrade', '--', `--from=${platform().root}`, ...args);
const short = (commit: string) => commit.slice(0, 7);

/** Steps later tests build on: a test whose prerequisite failed is skipped, so the first failure is the one reported. */
const passed = new Set<'setup' | 'upgraded'>();
const needs = (context: TestContext, step: 'setup' | 'upgraded') => {
  if (!passed.has(step)) context.skip(`skipped: the ${step} step failed`);
};

describe('npm run platform-upgrade in a per-team workspace', () => {
  beforeAll(async () => {
    scratch = await createScratchWorkspace('musiccorp-platform-upgrade-');
    oldRelease = (await inPlatform('git', 'rev-parse', 'HEAD')).trim();
    parent = await mkdtemp(join(tmpdir(), 'musiccorp-team-upgrade-'));
    await inPlatform(
      'npm',
      'run',
      '-s',
      'create-workspace',
      '--',
      team(),
      `--team=${TEAM}`,
      `--members=${TEAM}-lead`,
      '--no-install',
    );
    await linkNodeModules(team());
    await teamSucceeds(
      'npx',
      'nx',
      'g',
      '@musiccorp/generators:service',
      SERVICE,
      `--team=${TEAM}`,
      '--no-interactive',
    );
    await commitAll(`${SERVICE}: generated`);

    await edit(team(MERGED), (text) => `${text}\n${TEAM_NOTE}\n`);
    await edit(team(CONFLICTED), (text) => text.replace('# GitHub Actions', "# GitHub Actions: the royalties team's"));
    await edit(team('package.json'), (text) =>
      text.replace('"scripts": {', '"scripts": {\n    "team:report": "node report.js",'),
    );
    await commitAll("the team's edits");

    // The platform's next release, made in the scratch copy of the platform.
    const root = platform().root;
    await edit(join(root, MERGED), (text) => text.replace(/^# .*/, '# Upgrade: carry every service forward'));
    await edit(join(root, CONFLICTED), (text) => text.replace('# GitHub Actions', '# GitHub Actions workflows'));
    await writeFile(join(root, ADDED), '#!/bin/sh\necho "a check the platform added"\n');
    await chmod(join(root, ADDED), 0o755);
    await rm(join(root, REMOVED));
    await edit(join(root, 'package.json'), (text) => text.replace(/"zx": "[^"]+"/, '"zx": "99.0.0"'));
    await edit(join(root, 'templates/service', LOGGER), (text) => text.replace('\n', `\n${LOGGER_NOTE}\n`));
    newRelease = await platform().commit('platform: the release the team upgrades to');
    passed.add('setup');
  });
  afterAll(async () => {
    if (parent) await rm(parent, { recursive: true, force: true });
    await scratch?.dispose();
  });

  it('--dry-run reports the platform commits and the files, and writes nothing', async (context) => {
    needs(context, 'setup');
    const output = await teamSucceeds(
      'npm',
      'run',
      '-s',
      'platform-upgrade',
      '--',
      `--from=${platform().root}`,
      '--dry-run',
    );
    expect(output).toContain(`platform ${short(oldRelease)}..${short(newRelease)}, 1 commit:`);
    expect(output).toContain(`${short(newRelease)} platform: the release the team upgrades to`);
    expect(output).toContain(`conflicted      1  ${CONFLICTED}`);
    expect(await teamSucceeds('git', 'status', '--porcelain')).toBe('');
  });

  it('merges the copied files: the team’s edit kept, a conflict marked, files added and removed, exit 1', async (context) => {
    needs(context, 'setup');
    const { exitCode, output } = await platformUpgrade();
    expect(exitCode, output).toBe(1);
    expect(output).toMatch(/merged +\d+ {2}.*generators\/src\/upgrade\/README\.md/);
    expect(output).toContain(`added           1  ${ADDED}`);
    expect(output).toContain(`removed         1  ${REMOVED}`);
    expect(output).toContain('npx nx g @musiccorp/generators:upgrade --all');

    const merged = await readFile(team(MERGED), 'utf8');
    expect(merged).toMatch(/^# Upgrade: carry every service forward\n/);
    expect(merged).toContain(TEAM_NOTE);
    expect(await readFile(team(CONFLICTED), 'utf8')).toMatch(
      new RegExp(
        `^<{7} workspace \\(yours, on platform ${short(oldRelease)}\\)\n# GitHub Actions: the royalties team's\n={7}\n# GitHub Actions workflows\n>{7} platform ${short(newRelease)}\n`,
      ),
    );
    expect((await stat(team(ADDED))).mode & 0o111).not.toBe(0);
    expect(existsSync(team(REMOVED))).toBe(false);
    // package.json: the platform's versions, the workspace's name and the team's own script.
    const pkg = JSON.parse(await readFile(team('package.json'), 'utf8')) as {
      name: string;
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.name).toBe(`@musiccorp/${TEAM}-workspace`);
    expect(pkg.scripts['team:report']).toBe('node report.js');
    expect(pkg.devDependencies['zx']).toBe('99.0.0');
    expect(output).toContain('  npm install');
    const recorded = JSON.parse(await readFile(team('platform.json'), 'utf8')) as {
      platformCommit: string;
      copied: string[];
    };
    expect(recorded.platformCommit).toBe(newRelease);
    expect(recorded.copied).toContain(ADDED);
    expect(recorded.copied).not.toContain(REMOVED);
    passed.add('upgraded');
  });

  it('`npm test` refuses to run anything while a copied file holds a conflict', async (context) => {
    needs(context, 'upgraded');
    const { exitCode, output } = await inTeam('npm', 'test');
    expect(exitCode, output).not.toBe(0);
    expect(output).toContain('Unresolved conflicts of the platform upgrade in 1 file:');
    expect(output).toMatch(new RegExp(`  ${CONFLICTED.replace(/\./g, '\\.')}: lines 1, 3, 5`));
    expect(output).not.toContain('prettier --check');
  });

  it('once resolved and committed, `nx g upgrade --all` carries the service onto the new template', async (context) => {
    needs(context, 'upgraded');
    await edit(team(CONFLICTED), (text) =>
      text.replace(/^<{7} .*\n(.*)\n={7}\n.*\n>{7} .*\n/, "# GitHub Actions workflows: the royalties team's\n"),
    );
    expect(unresolvedUpgradeConflicts(team())).toEqual([]);
    await commitAll(`platform upgrade ${short(oldRelease)}..${short(newRelease)}`);

    const upToDate = await platformUpgrade();
    expect(upToDate.exitCode, upToDate.output).toBe(0);
    expect(upToDate.output).toContain(`already at platform ${short(newRelease)}`);

    const upgraded = await teamSucceeds('npx', 'nx', 'g', '@musiccorp/generators:upgrade', '--all', '--no-interactive');
    expect(upgraded).toContain(`${SERVICE}: template`);
    expect(await readFile(team('services', SERVICE, LOGGER), 'utf8')).toContain(LOGGER_NOTE);
  });

  it('refuses a working tree with uncommitted changes, naming them', async (context) => {
    needs(context, 'upgraded');
    await writeFile(team('notes.txt'), 'draft\n');
    try {
      const { exitCode, output } = await platformUpgrade();
      expect(exitCode, output).toBe(2);
      expect(output).toMatch(/uncommitted changes: .*notes\.txt/);
    } finally {
      await rm(team('notes.txt'));
    }
  });
});
