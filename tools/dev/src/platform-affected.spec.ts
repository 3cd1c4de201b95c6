/**
 * The platform tests itself the way it tests services: a change re-tests the project it is in and the projects that
 * depend on it (their package.json `dependencies`, e2e's `implicitDependencies`), plus the projects whose test target
 * lists the changed file among its `inputs` — nothing else. CI's `platform` job (.github/workflows/ci.yml) re-tests
 * exactly this set, services left out (`nx affected --exclude='tag:type:service'`).
 *
 * One scratch copy of this workspace (a real git repository, committed once; only the `catalog` service kept, so the
 * sets do not change when a service is generated). Each case makes one uncommitted change, asks
 * `nx show projects --affected --base=HEAD`, and resets the copy. The expected sets are written out here, never read
 * from the graph: a new dependency or input shows up as a failing case, to be checked and written down.
 */
import { appendFile, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';

/** Every platform project. */
const PLATFORM = [
  'affected',
  'artifact',
  'contract',
  'core',
  'deploy',
  'dev',
  'e2e',
  'generators',
  'logs',
  'owners',
  'pipeline',
  'workspace',
];
const KEPT_SERVICE = 'catalog';

/**
 * Child processes get no variables of an outer Nx run (`npm test` runs this spec as an Nx task), then the scratch
 * workspace's own (its Nx native file cache inside it: else each copy leaves one in the temp folder).
 */
const env = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NX_'))),
  ...scratch.env,
  NX_TUI: 'false',
  FORCE_COLOR: '0',
});

let scratch: ScratchWorkspace;
const path = (file: string) => join(scratch.root, file);
const inScratch = (command: string, args: string[]) =>
  execa(command, args, { cwd: scratch.root, env: env(), extendEnv: false });
const git = (...args: string[]) => inScratch('git', args);

/** A new source file in a project's folder: a change Nx sees (untracked files count) that no rename can outdate. */
const addSourceFile = (file: string) => () => writeFile(path(file), 'export const changed = true;\n');
interface PackageJson {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
}
interface PackageLock {
  packages: Record<string, { version?: string; devDependencies?: Record<string, string> }>;
}
const editJson =
  <T>(file: string, change: (json: T) => void) =>
  async () => {
    const json = JSON.parse(await readFile(path(file), 'utf8')) as T;
    change(json);
    await writeFile(path(file), `${JSON.stringify(json, null, 2)}\n`);
  };

beforeAll(async () => {
  scratch = await createScratchWorkspace('musiccorp-platform-affected-');
  for (const service of await readdir(path('services'))) {
    if (service !== KEPT_SERVICE) await rm(path(`services/${service}`), { recursive: true, force: true });
  }
  await scratch.commit(`only the ${KEPT_SERVICE} service`);
}, 120_000);

afterAll(async () => {
  await scratch?.dispose();
});

describe('nx show projects --affected: a change re-tests its project and its dependents only', () => {
  const cases: [change: string, apply: () => Promise<unknown>, affected: string[]][] = [
    [
      'tools/core: every project builds on core (services do not: the chassis is copied)',
      addSourceFile('tools/core/src/fixture-change.ts'),
      PLATFORM,
    ],
    ['tools/affected', addSourceFile('tools/affected/src/fixture-change.ts'), ['affected', 'e2e', 'pipeline']],
    ['tools/pipeline', addSourceFile('tools/pipeline/src/fixture-change.ts'), ['e2e', 'pipeline']],
    [
      'tools/artifact: deploy, the pipeline and the demo use it',
      addSourceFile('tools/artifact/src/fixture-change.ts'),
      ['artifact', 'deploy', 'dev', 'e2e', 'pipeline'],
    ],
    [
      'tools/deploy: the pipeline runs it',
      addSourceFile('tools/deploy/src/fixture-change.ts'),
      ['deploy', 'e2e', 'pipeline'],
    ],
    ['tools/owners', addSourceFile('tools/owners/src/fixture-change.ts'), ['e2e', 'owners']],
    [
      'tools/logs: npm run dev prints with it',
      addSourceFile('tools/logs/src/fixture-change.ts'),
      ['dev', 'e2e', 'logs'],
    ],
    [
      'tools/contract: owners (reviewers) and the generators (contract sync) use it, and what depends on them',
      addSourceFile('tools/contract/src/fixture-change.ts'),
      ['contract', 'e2e', 'generators', 'owners', 'workspace'],
    ],
    ['tools/workspace', addSourceFile('tools/workspace/src/fixture-change.ts'), ['e2e', 'workspace']],
    ['tools/dev', addSourceFile('tools/dev/src/fixture-change.ts'), ['dev', 'e2e']],
    [
      "generators: the workspace creator imports it, affected's spec generates its fixture services with it (and the pipeline imports affected)",
      addSourceFile('generators/src/fixture-change.ts'),
      ['affected', 'e2e', 'generators', 'pipeline', 'workspace'],
    ],
    [
      'a template file: the projects that render or copy templates (contract describes the rendered chassis); no service',
      addSourceFile('templates/service/src/fixture-change.ts'),
      ['affected', 'contract', 'e2e', 'generators', 'owners', 'pipeline', 'workspace'],
    ],
    [
      "a service file: that service, and the generators' drift check (plus what depends on generators)",
      addSourceFile(`services/${KEPT_SERVICE}/src/fixture-change.ts`),
      [KEPT_SERVICE, 'e2e', 'generators', 'workspace'],
    ],
    [
      'a workflow script: the workflow specs, and the workspace creator that copies .github/',
      addSourceFile('.github/scripts/fixture-change.sh'),
      ['e2e', 'pipeline', 'workspace'],
    ],
    [
      "platform/teams.json: core's teams spec reads it, so every project built on core",
      () => appendFile(path('platform/teams.json'), '\n'),
      PLATFORM,
    ],
    ['nx.json: everything', () => appendFile(path('nx.json'), '\n'), [...PLATFORM, KEPT_SERVICE]],
    [
      "package.json, a script only: the specs that read the root's scripts",
      editJson<PackageJson>('package.json', (pkg) => (pkg.scripts['fixture-change'] = 'true')),
      ['affected', 'dev', 'e2e', 'pipeline', 'workspace'],
    ],
    [
      'a devDependency bump (package.json and the lockfile): every platform project runs on the root packages',
      async () => {
        await editJson<PackageJson>('package.json', (pkg) => (pkg.devDependencies['vitest'] = '4.1.99'))();
        await editJson<PackageLock>('package-lock.json', (lock) => {
          lock.packages['']!.devDependencies!['vitest'] = '4.1.99';
          lock.packages['node_modules/vitest']!.version = '4.1.99';
        })();
      },
      PLATFORM,
    ],
  ];

  it.each(cases)('%s', async (_, apply, expected) => {
    await git('checkout', '-q', '--', '.');
    await git('clean', '-q', '-fd'); // not -x: node_modules and .nx stay
    expect((await git('status', '--porcelain')).stdout).toBe('');
    await apply();
    expect((await git('status', '--porcelain')).stdout).not.toBe('');

    const { stdout } = await inScratch('npx', ['nx', 'show', 'projects', '--affected', '--base=HEAD', '--json']);
    expect((JSON.parse(stdout) as string[]).sort()).toEqual([...expected].sort());
  });
});
