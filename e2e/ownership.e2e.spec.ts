/**
 * Ownership end to end, through the real CLIs in a scratch copy of this workspace: `nx sync:check` / `nx sync` with
 * the CODEOWNERS global sync generator, the team and transfer generators leaving CODEOWNERS in sync (and the drift
 * check clean), `npm run owners -- check` on the result, and ESLint's module boundaries refusing a cross-service
 * import (information hiding) while a legal import passes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { checkDrift } from '@musiccorp/generators/src/drift/drift';
import { forgetOuterNxTask, scratchCommands } from './support';

// Names no committed team or service takes.
const TEAM = 'e2e-royalties';
const SERVICE = 'e2e-royalty-ledger';

forgetOuterNxTask();

let scratch: ScratchWorkspace | undefined;
/** Steps later tests build on: a test whose prerequisite failed is skipped, so the first failure is the one reported. */
const passed = new Set<'in-sync'>();
function needs(context: TestContext, step: 'in-sync'): void {
  if (!passed.has(step)) context.skip(`skipped: the ${step} step failed`);
}

function workspace(): ScratchWorkspace {
  if (!scratch) throw new Error('the scratch workspace was not created');
  return scratch;
}
const { run, succeeds, fails } = scratchCommands(workspace);
const path = (...segments: string[]) => join(workspace().root, ...segments);

const nx = (...args: string[]) => succeeds('npx', 'nx', ...args);
const syncCheckPasses = async () => expect(await nx('sync:check')).toMatch(/The workspace is up to date/);
/** `owners check` reads `git ls-files`, so commit first. */
async function ownersCheckPasses(message: string): Promise<void> {
  await workspace().commit(message);
  expect(await succeeds('npm', 'run', '-s', 'owners', '--', 'check')).toMatch(/owners check: OK/);
}
const owner = async (file: string) =>
  (JSON.parse(await succeeds('npm', 'run', '-s', 'owners', '--', 'who', '--json', file)) as { owners: string[] }[])[0]
    ?.owners;

describe('ownership through the real CLIs', () => {
  beforeAll(async () => {
    scratch = await createScratchWorkspace('musiccorp-owners-');
  });
  afterAll(async () => {
    await scratch?.dispose();
  });

  it('the committed workspace is in sync and passes the owners check', async () => {
    const nxJson = JSON.parse(await readFile(path('nx.json'), 'utf8')) as { sync?: { globalGenerators?: string[] } };
    expect(nxJson.sync?.globalGenerators).toContain('@musiccorp/generators:codeowners');
    await syncCheckPasses();
    await ownersCheckPasses('nothing changed');
    passed.add('in-sync');
  });

  it('team, service, transfer and team removal each leave CODEOWNERS in sync; the drift check stays clean', async (context) => {
    needs(context, 'in-sync');
    expect(
      await nx('g', '@musiccorp/generators:team', TEAM, '--members=mc-royalties-lead', '--no-interactive'),
    ).toMatch(/UPDATE platform\/teams\.json/);
    await syncCheckPasses();

    await nx('g', '@musiccorp/generators:service', SERVICE, `--team=${TEAM}`, '--no-interactive');
    await syncCheckPasses();
    expect(await readFile(path('CODEOWNERS'), 'utf8')).toContain(`\n/services/${SERVICE}/ @musiccorp/${TEAM}\n`);
    await ownersCheckPasses('a team and its service');
    expect(await owner(`services/${SERVICE}/src/routes/index.ts`)).toEqual([`@musiccorp/${TEAM}`]);
    // platform-owned (not in template.json's teamOwned): the team and the platform team
    expect(await owner(`services/${SERVICE}/src/main.ts`)).toEqual([`@musiccorp/${TEAM}`, '@musiccorp/platform']);

    // A team that still owns a service cannot be removed; the message lists the services.
    const refused = await fails('npx', 'nx', 'g', '@musiccorp/generators:team', TEAM, '--remove', '--no-interactive');
    expect(refused).toContain(`Team "${TEAM}" still owns 1 service: ${SERVICE} (services/${SERVICE})`);

    const transferred = await nx('g', '@musiccorp/generators:transfer', SERVICE, '--to=finance', '--no-interactive');
    for (const file of ['project.json', 'README.md', 'pipeline.json', 'package.json', 'Dockerfile'])
      expect(transferred).toContain(`UPDATE services/${SERVICE}/${file}`);
    await syncCheckPasses();
    await ownersCheckPasses('transfer');
    expect(await owner(`services/${SERVICE}/src/routes/index.ts`)).toEqual(['@musiccorp/finance']);
    expect(await owner(`services/${SERVICE}/src/main.ts`)).toEqual(['@musiccorp/finance', '@musiccorp/platform']);
    // Rendered from the commit its provenance records (the scratch copy's own): the platform-owned files match.
    const drift = checkDrift(workspace().root, `services/${SERVICE}`);
    expect(drift.comparedWith).toMatch(/^templates\/ at [0-9a-f]{12}$/);
    expect(drift.findings).toEqual([]);

    await nx('g', '@musiccorp/generators:team', TEAM, '--remove', '--no-interactive');
    await syncCheckPasses();
    await ownersCheckPasses('team removed');
  });

  it('`nx sync:check` fails while CODEOWNERS is stale, naming the change; `nx sync` brings it back', async (context) => {
    needs(context, 'in-sync');
    // A tag edited by hand: the tag is the source of truth, so CODEOWNERS is now stale.
    const projectFile = path('services', 'catalog', 'project.json');
    await writeFile(projectFile, (await readFile(projectFile, 'utf8')).replace('"team:catalog"', '"team:fulfilment"'));
    const stale = await fails('npx', 'nx', 'sync:check');
    expect(stale).toContain('The workspace is out of sync');
    expect(stale).toContain('CODEOWNERS does not match');
    expect(stale).toContain('CODEOWNERS: + /services/catalog/ @musiccorp/fulfilment');
    expect(stale).toContain('CODEOWNERS: - /services/catalog/ @musiccorp/catalog');

    await nx('sync');
    expect(await readFile(path('CODEOWNERS'), 'utf8')).toContain('\n/services/catalog/ @musiccorp/fulfilment\n');
    await syncCheckPasses();

    // A hand edit of CODEOWNERS itself is stale too, and `nx sync` overwrites it.
    const generated = await readFile(path('CODEOWNERS'), 'utf8');
    await writeFile(path('CODEOWNERS'), `${generated}/docs/ @musiccorp/catalog\n`);
    expect(await fails('npx', 'nx', 'sync:check')).toContain('CODEOWNERS: - /docs/ @musiccorp/catalog');
    await nx('sync');
    expect(await readFile(path('CODEOWNERS'), 'utf8')).toBe(generated);
  });

  it('a broken teams registry stops `nx sync:check` with the entry and field named', async (context) => {
    needs(context, 'in-sync');
    const teamsFile = path('platform', 'teams.json');
    const teams = await readFile(teamsFile, 'utf8');
    await writeFile(teamsFile, teams.replace('"@musiccorp/finance"', '"@musiccorp/financial"'));
    const broken = await fails('npx', 'nx', 'sync:check');
    expect(broken).toContain('teams[3] ("finance").handle must be "@musiccorp/finance" (got "@musiccorp/financial")');
    await writeFile(teamsFile, teams);
  });

  describe('information hiding: services never import each other', () => {
    const catalogSrc = (...segments: string[]) => path('services', 'catalog', 'src', ...segments);

    it('a relative import of another service’s source fails `nx lint` with the module-boundaries message', async () => {
      await writeFile(
        catalogSrc('leak.ts'),
        "import { routes } from '../../payment/src/routes';\n\nexport const leaked = routes;\n",
      );
      const lint = await fails('npx', 'nx', 'lint', 'catalog', '--skip-nx-cache');
      expect(lint).toMatch(
        /leak\.ts\s+1:1\s+error\s+Projects cannot be imported by a relative or absolute path, and must begin with a npm scope\s+@nx\/enforce-module-boundaries/,
      );
      await run('rm', [catalogSrc('leak.ts')]);
    });

    it('a legal import (its own code, an npm package) passes `nx lint`', async () => {
      await writeFile(
        catalogSrc('legal.ts'),
        "import Fastify from 'fastify';\nimport { routes } from './routes';\n\nexport const legal = [Fastify, routes];\n",
      );
      await nx('lint', 'catalog', '--skip-nx-cache');
      await run('rm', [catalogSrc('legal.ts')]);
    });

    it('through a path alias too: an app import, and the type:service tag rule when the target is a library', async () => {
      // What someone might add to make the import "work": a tsconfig path to the other service.
      const tsconfig = path('tsconfig.base.json');
      const config = JSON.parse(await readFile(tsconfig, 'utf8')) as { compilerOptions: Record<string, unknown> };
      config.compilerOptions['paths'] = { '@musiccorp/payment/*': ['services/payment/src/*'] };
      await writeFile(tsconfig, JSON.stringify(config, null, 2));
      await writeFile(
        catalogSrc('leak.ts'),
        "import { routes } from '@musiccorp/payment/routes';\n\nexport const leaked = routes;\n",
      );
      expect(await fails('npx', 'nx', 'lint', 'catalog', '--skip-nx-cache')).toMatch(
        /1:1\s+error\s+Imports of apps are forbidden\s+@nx\/enforce-module-boundaries/,
      );

      // Even if payment were a library, the tag rule (type:service may not depend on type:service) holds.
      const paymentProject = path('services', 'payment', 'project.json');
      const project = await readFile(paymentProject, 'utf8');
      await writeFile(paymentProject, project.replace('"projectType": "application"', '"projectType": "library"'));
      expect(await fails('npx', 'nx', 'lint', 'catalog', '--skip-nx-cache')).toMatch(
        /1:1\s+error\s+A project tagged with "type:service" can not depend on libs tagged with "type:service"[\s\S]*Violation detected in:\s+- payment\s+@nx\/enforce-module-boundaries/,
      );
      await writeFile(paymentProject, project);
      await run('rm', [catalogSrc('leak.ts')]);
    });
  });
});
