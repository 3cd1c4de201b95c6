/**
 * `npm run create-workspace` end to end: a per-team workspace created in a temp folder with a real `npm install`
 * (from the local npm cache), then used as its team would — `nx g` a service and run its tests, `nx sync:check`,
 * `owners check`, commit, change the service (with the plop micro-generators when the platform has them) and see
 * `ci:affected` list it with its reasons — and the workspace's own `npm test` passing with and without a service,
 * and failing on a hand-edited chassis file (its drift check).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { forgetOuterNxTask } from './support';

const TEAM = 'royalties';
const SERVICE = 'album-ledger';
const HAS_PLOPFILE = (['plopfile.js', 'plopfile.cjs', 'plopfile.mjs'] as const).some((name) =>
  existsSync(join(WORKSPACE_ROOT, name)),
);

forgetOuterNxTask();
const ENV = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', CI: 'true' };

let parent: string | undefined;
const root = () => join(parent ?? '', `${TEAM}-services`);
/** Steps later tests build on: a test whose prerequisite failed is skipped, so the first failure is the one reported. */
const passed = new Set<'created' | 'service'>();
const needs = (context: TestContext, step: 'created' | 'service') => {
  if (!passed.has(step)) context.skip(`skipped: the ${step} step failed`);
};

async function succeeds(cwd: string, command: string, ...args: string[]): Promise<string> {
  const result = await execa(command, args, { cwd, env: ENV, reject: false, all: true });
  const output = stripVTControlCharacters(result.all ?? '');
  expect(result.exitCode, `${command} ${args.join(' ')}\n${output}`).toBe(0);
  return output;
}
const inWorkspace = (command: string, ...args: string[]) => succeeds(root(), command, ...args);
async function commit(message: string): Promise<void> {
  await inWorkspace('git', 'add', '-A');
  await inWorkspace(
    'git',
    '-c',
    'user.name=E2E',
    '-c',
    'user.email=e2e@musiccorp.example',
    'commit',
    '-q',
    '-m',
    message,
  );
}

beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'musiccorp-team-'));
});
afterAll(async () => {
  if (parent) await rm(parent, { recursive: true, force: true });
});

describe('a per-team workspace', () => {
  it('is created with its install and first commit; in sync, owners-clean, `npm test` green', async () => {
    const output = await succeeds(
      WORKSPACE_ROOT,
      'npm',
      'run',
      '-s',
      'create-workspace',
      '--',
      root(),
      `--team=${TEAM}`,
      `--members=${TEAM}-lead`,
    );
    for (const step of ['Compose the workspace from the platform', 'npm install', 'git init and initial commit'])
      expect(output).toMatch(new RegExp(`✔ ${step}`));
    expect(await readdir(parent ?? '')).toEqual([`${TEAM}-services`]); // no staging folder left beside it
    expect(await inWorkspace('git', 'status', '--porcelain')).toBe('');
    expect(await inWorkspace('git', 'rev-list', '--count', 'HEAD')).toBe('1');

    expect(await inWorkspace('npx', 'nx', 'sync:check')).toMatch(/up to date/);
    expect(await inWorkspace('npm', 'run', '-s', 'owners', '--', 'check')).toMatch(/owners check: OK/);
    expect(await readFile(join(root(), 'CODEOWNERS'), 'utf8')).toContain(`\n* @musiccorp/${TEAM}\n`);
    expect(await inWorkspace('npm', 'test')).toMatch(/Tests: 0 passed, 0 failed/);
    passed.add('created');
  });

  it(`generates a service whose tests pass, with CODEOWNERS still in sync`, async (context) => {
    needs(context, 'created');
    await inWorkspace('npx', 'nx', 'g', '@musiccorp/generators:service', SERVICE, `--team=${TEAM}`, '--no-interactive');
    expect(await inWorkspace('npx', 'nx', 'run', `${SERVICE}:test`)).toMatch(/Tests\s+\d+ passed/);
    expect(await inWorkspace('npx', 'nx', 'sync:check')).toMatch(/up to date/);
    expect(await readFile(join(root(), 'CODEOWNERS'), 'utf8')).toContain(
      `\n/services/${SERVICE}/ @musiccorp/${TEAM}\n`,
    );
    await commit(`${SERVICE}: generated`);
    passed.add('service');
  });

  it('lists the changed service with its reasons in `ci:affected`; `npm test` passes with it', async (context) => {
    needs(context, 'service');
    if (HAS_PLOPFILE) {
      await inWorkspace('npx', 'plop', 'endpoint', SERVICE, 'GET', '/albums/:albumId', 'getAlbum');
      await inWorkspace('npx', 'plop', 'event', SERVICE, 'AlbumReleased');
    } else {
      const routes = join(root(), 'services', SERVICE, 'src', 'routes', 'items.ts');
      await writeFile(routes, `${await readFile(routes, 'utf8')}\n// The team's first change.\n`);
    }
    await commit(`${SERVICE}: the team's change`);

    const affected = JSON.parse(
      await inWorkspace('npm', 'run', '-s', 'ci:affected', '--', '--base=HEAD~1', '--head=HEAD', '--json'),
    ) as { services: { name: string; team: string; reasons: string[] }[] };
    expect(affected.services.map(({ name, team }) => ({ name, team }))).toEqual([{ name: SERVICE, team: TEAM }]);
    const reasons = affected.services[0]?.reasons ?? [];
    expect(reasons).toContain(
      HAS_PLOPFILE ? `services/${SERVICE}/src/routes/get-album.ts` : `services/${SERVICE}/src/routes/items.ts`,
    );

    // lint, typecheck and the tests of every project: the service with the team's change included.
    expect(await inWorkspace('npm', 'test')).toMatch(/Tests: [1-9]\d* passed, 0 failed/);
  });

  it("fails its `npm test` on a hand-edited chassis file: the service's drift target, as `npm run drift` says", async (context) => {
    needs(context, 'service');
    const logger = join(root(), 'services', SERVICE, 'src', 'chassis', 'logger.ts');
    const original = await readFile(logger, 'utf8');
    await writeFile(logger, `${original}// patched by hand\n`);
    try {
      const test = await execa('npm', ['test'], { cwd: root(), env: ENV, reject: false, all: true });
      const output = stripVTControlCharacters(test.all ?? '');
      expect(test.exitCode, output).not.toBe(0);
      expect(output).toContain(`${SERVICE}: DRIFT`);
      const drift = await execa('npm', ['run', '-s', 'drift', '--', SERVICE], { cwd: root(), env: ENV, reject: false });
      expect(drift.exitCode).toBe(1);
      expect(drift.stdout).toMatch(/src\/chassis\/logger\.ts \(line \d+\)/);
    } finally {
      await writeFile(logger, original);
    }
    await succeeds(root(), 'npm', 'run', '-s', 'drift');
  });
});
