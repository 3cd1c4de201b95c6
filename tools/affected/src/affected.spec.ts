/**
 * `ci:affected` against a real git repository: a scratch copy of this workspace with four generated services,
 * committed once. Each case starts from that commit on a fresh branch, makes one kind of change, commits it and runs
 * the CLI (`--base=fixture --head=HEAD --json`), then asserts the exact set of affected services and their reasons.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';

const SERVICES = [
  { name: 'catalog', team: 'catalog' },
  { name: 'orders', team: 'fulfilment' },
  { name: 'billing', team: 'finance' },
  { name: 'reviews', team: 'customer-engagement' },
] as const;
const TEAM: Record<string, string> = {
  ...Object.fromEntries(SERVICES.map((s) => [s.name, s.team])),
  ratings: 'customer-engagement',
  payments: 'finance',
};
const ALL = SERVICES.map((s) => s.name);

/**
 * The environment of every child process: no Nx variables of an outer Nx run (NX_WORKSPACE_ROOT_PATH would redirect
 * Nx), then the scratch workspace's own (its Nx native file cache inside it: else each copy leaves one in the temp
 * folder).
 */
const env = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('NX_'))),
  ...ws.env,
  NX_ISOLATE_PLUGINS: 'false',
  FORCE_COLOR: '0',
});

let ws: ScratchWorkspace;
let root: string;
const git = (...args: string[]) => execa('git', args, { cwd: root, env: env() });
const file = (path: string) => join(root, path);
const edit = async (path: string, change: (text: string) => string) =>
  writeFile(file(path), change(await readFile(file(path), 'utf8')));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- test edits of arbitrary JSON files
const editJson = async (path: string, change: (json: any) => void) =>
  edit(path, (text) => {
    const json = JSON.parse(text);
    change(json);
    return `${JSON.stringify(json, null, 2)}\n`;
  });
const generate = (name: string, team: string) =>
  execa('npx', ['nx', 'g', '@musiccorp/generators:service', name, `--team=${team}`, '--no-interactive'], {
    cwd: root,
    env: env(),
  });
const countFiles = async (dir: string): Promise<number> =>
  (await readdir(file(dir), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;

/** Pretend a new version of an installed package: what `npm install x@v` writes, without the network. */
async function bumpLock(path: string, version: string, rootSpec?: { section: string; name: string }): Promise<void> {
  await editJson('package-lock.json', (lock) => {
    const entry = lock.packages[path];
    entry.version = version;
    entry.integrity = `sha512-${createHash('sha512').update(`${path}@${version}`).digest('base64')}`;
    if (rootSpec) lock.packages[''][rootSpec.section][rootSpec.name] = version;
  });
}

interface Run {
  exitCode?: number | undefined;
  stdout: string;
  stderr: string;
}

async function cli(args: string[]): Promise<Run> {
  // The launcher npm run ci:affected uses (a bundle of tools/affected, built on first use in the copy).
  const { exitCode, stdout, stderr } = await execa('node', ['tools/core/bin/run.mjs', 'affected/cli', ...args], {
    cwd: root,
    env: env(),
    reject: false,
  });
  return { exitCode, stdout, stderr };
}

/** The affected services as {name: reasons}, checking the exact JSON shape on the way. */
function parse(run: Run): Record<string, string[]> {
  expect(run.exitCode, run.stderr).toBe(0);
  const json = JSON.parse(run.stdout) as { services: { name: string; team: string; reasons: string[] }[] };
  expect(Object.keys(json)).toEqual(['services']);
  const result: Record<string, string[]> = {};
  for (const service of json.services) {
    expect(Object.keys(service)).toEqual(['name', 'team', 'reasons', 'rebuild', 'deploy', 'checks', 'targets']);
    expect(service.team).toBe(TEAM[service.name]);
    result[service.name] = service.reasons;
  }
  return result;
}

/** Starts from the fixture commit on a fresh branch, applies the change, commits it. */
async function change(apply: () => Promise<unknown>, commit = true): Promise<void> {
  await git('checkout', '-q', '-B', 'case', 'fixture');
  await git('reset', '-q', '--hard', 'fixture');
  await git('clean', '-q', '-fd'); // not -x: node_modules and .nx stay
  await apply();
  if (commit) await ws.commit('case');
}

const every = (reason: string) => Object.fromEntries(ALL.map((s) => [s, [reason]]));

beforeAll(async () => {
  ws = await createScratchWorkspace('musiccorp-affected-');
  root = ws.root;
  // Only our services, whatever the workspace being copied holds right now.
  await rm(file('services'), { recursive: true, force: true });
  await mkdir(file('services'));
  await edit('CODEOWNERS', (text) =>
    text
      .split('\n')
      .filter((l) => !l.startsWith('/services/'))
      .join('\n'),
  );
  await rm(file('platform/environments'), { recursive: true, force: true });
  await mkdir(file('platform/environments'));
  for (const env of ['staging', 'production']) {
    await writeFile(
      file(`platform/environments/${env}.json`),
      `${JSON.stringify({ environment: env, logLevel: 'info', replicas: 2 }, null, 2)}\n`,
    );
  }
  for (const { name, team } of SERVICES) await generate(name, team);
  // billing renders invoices with handlebars (installed at the root, as every dependency is).
  await writeFile(
    file('services/billing/src/routes/invoice.ts'),
    "import Handlebars from 'handlebars';\n\nexport const renderInvoice = Handlebars.compile('Invoice {{number}}: {{total}}');\n",
  );
  await editJson('services/billing/package.json', (pkg) => (pkg.dependencies.handlebars = '4.7.10'));
  await writeFile(file('services/catalog/README.md'), '# catalog\n\nThe MusicCorp catalogue of albums and tracks.\n');
  // orders calls catalog's HTTP API (its consumes.json), and nobody consumes billing.
  await writeFile(
    file('services/orders/consumes.json'),
    `${JSON.stringify({ http: ['catalog'], events: [] }, null, 2)}\n`,
  );
  await ws.commit('fixture: four services');
  await git('branch', '-f', 'fixture');
}, 240_000);

afterAll(async () => {
  await ws?.dispose();
});

interface Case {
  name: string;
  apply: () => Promise<unknown>;
  expected: Record<string, string[]> | (() => Promise<Record<string, string[]>>);
  /** Text the CLI must print on stderr (notes). */
  stderr?: RegExp;
}

const cases: Case[] = [
  {
    name: 'a service source file',
    apply: () => appendFile(file('services/catalog/src/routes/items.ts'), '// tweak\n'),
    expected: { catalog: ['services/catalog/src/routes/items.ts'] },
  },
  {
    name: 'a test-only change (affected for its checks; build inputs unchanged)',
    apply: () => appendFile(file('services/orders/test/routes/items.spec.ts'), '// more tests\n'),
    expected: { orders: ['services/orders/test/routes/items.spec.ts'] },
  },
  {
    name: 'a service README',
    apply: () => appendFile(file('services/catalog/README.md'), '\nOwned by the catalog team.\n'),
    expected: { catalog: ['services/catalog/README.md'] },
  },
  {
    name: 'a template change (templates are copied, not imported)',
    apply: () => appendFile(file('templates/service/src/chassis/app.ts'), '// chassis v2\n'),
    expected: {},
  },
  {
    name: 'a generator change',
    apply: () => appendFile(file('generators/src/service/generator.ts'), '// generator v2\n'),
    expected: {},
  },
  {
    name: 'a platform environment file (deploy configuration: redeploy every service, no rebuild)',
    apply: () => editJson('platform/environments/staging.json', (env) => (env.logLevel = 'debug')),
    expected: every(
      'deploy config platform/environments/staging.json (environment staging: read at deploy time, not an artifact input)',
    ),
  },
  {
    name: 'a root dependency used by one service (package.json + package-lock.json)',
    apply: async () => {
      await editJson('package.json', (pkg) => (pkg.devDependencies.handlebars = '4.7.11'));
      await bumpLock('node_modules/handlebars', '4.7.11', { section: 'devDependencies', name: 'handlebars' });
    },
    expected: {
      billing: [
        'dependency npm:handlebars (package.json devDependencies.handlebars 4.7.10 → 4.7.11; package-lock.json 4.7.10 → 4.7.11)',
      ],
    },
  },
  {
    name: 'a lockfile-only bump of a transitive dependency (light-my-request, under fastify)',
    apply: () => bumpLock('node_modules/light-my-request', '6.8.2'),
    expected: every('dependency npm:light-my-request (package-lock.json 6.8.1 → 6.8.2) via npm:fastify'),
    stderr: /`nx affected` would not list/,
  },
  {
    name: 'a lockfile-only bump of a package no service uses (execa, used by tools)',
    apply: () => bumpLock('node_modules/execa', '9.6.2'),
    expected: {},
  },
  {
    name: 'the test runner a target runs (vitest: imported by no file Nx reads; tests only)',
    apply: async () => {
      await editJson('package.json', (pkg) => (pkg.devDependencies.vitest = '4.1.13'));
      await bumpLock('node_modules/vitest', '4.1.13', { section: 'devDependencies', name: 'vitest' });
    },
    expected: every(
      'npm:vitest (package.json devDependencies.vitest 4.1.12 → 4.1.13; package-lock.json 4.1.12 → 4.1.13), run by test (vitest)',
    ),
  },
  {
    name: 'the bundler a target runs (esbuild: a new artifact)',
    apply: () => bumpLock('node_modules/esbuild', '0.27.8'),
    expected: every(
      'npm:esbuild (package-lock.json 0.27.7 → 0.27.8), run by build (esbuild), test (vitest via npm:vite@8.3.8)',
    ),
  },
  {
    name: 'tsconfig.base.json compiler options',
    apply: () => editJson('tsconfig.base.json', (ts) => (ts.compilerOptions.noImplicitReturns = true)),
    expected: every('tsconfig.base.json (compiler options changed: affects every project)'),
  },
  {
    name: 'nx.json',
    apply: () => editJson('nx.json', (nx) => (nx.parallel = 2)),
    expected: every('nx.json (workspace configuration: affects every project)'),
  },
  {
    name: 'eslint.config.mjs (a root input of lint only)',
    apply: () => appendFile(file('eslint.config.mjs'), '// stricter\n'),
    expected: every('eslint.config.mjs (root input of lint)'),
  },
  {
    name: 'a deleted file',
    apply: () => rm(file('services/reviews/test/routes/items.spec.ts')),
    expected: { reviews: ['services/reviews/test/routes/items.spec.ts (deleted)'] },
  },
  {
    name: "a service's package.json deleted (the project stays: project.json)",
    apply: () => rm(file('services/orders/package.json')),
    expected: { orders: ['services/orders/package.json (deleted)'] },
    stderr:
      /services\/orders\/package\.json was deleted: `nx affected` marks every project affected then; services\/orders is still a project/,
  },
  {
    name: 'a renamed service folder (reviews → ratings)',
    apply: async () => {
      await git('mv', 'services/reviews', 'services/ratings');
      await edit('services/ratings/project.json', (t) => t.replaceAll('reviews', 'ratings'));
      await edit('services/ratings/package.json', (t) => t.replaceAll('reviews', 'ratings'));
      await edit('CODEOWNERS', (t) => t.replace('/services/reviews/', '/services/ratings/'));
    },
    expected: async () => ({
      ratings: [`new project services/ratings (${await countFiles('services/ratings')} files added)`],
    }),
    // No service refers to reviews (this spec file does, so `tools` is listed as a referrer: a harmless false positive).
    stderr:
      /services\/reviews\/project\.json was deleted: `nx affected` marks every project affected.*and found affected\./,
  },
  {
    name: 'a new service',
    apply: () => generate('payments', 'finance'),
    expected: async () => ({
      payments: [`new project services/payments (${await countFiles('services/payments')} files added)`],
    }),
  },
  {
    name: "a service's contract: the services that consume it too (consumes.json)",
    apply: async () => {
      await mkdir(file('services/catalog/contract'), { recursive: true });
      await writeFile(file('services/catalog/contract/openapi.json'), '{"openapi": "3.0.3", "paths": {}}\n');
    },
    expected: {
      catalog: ['services/catalog/contract/openapi.json'],
      orders: ["consumes catalog's HTTP contract (services/catalog/contract/openapi.json changed)"],
    },
    stderr: /`nx affected` would not list orders/,
  },
  {
    name: 'a change to two services',
    apply: async () => {
      await appendFile(file('services/catalog/src/routes/items.ts'), '// tweak\n');
      await appendFile(file('services/billing/src/routes/invoice.ts'), '// tweak\n');
    },
    expected: {
      billing: ['services/billing/src/routes/invoice.ts'],
      catalog: ['services/catalog/src/routes/items.ts'],
    },
  },
  {
    name: 'a tools/ change',
    apply: () => appendFile(file('tools/dev/src/test-all.ts'), '// tweak\n'),
    expected: {},
  },
  {
    name: 'CODEOWNERS',
    apply: () => appendFile(file('CODEOWNERS'), '/docs/ @musiccorp/platform\n'),
    expected: {},
  },
  {
    name: 'platform/teams.json',
    apply: () => editJson('platform/teams.json', (teams) => teams.teams[1].members.push('mc-catalog-dev')),
    expected: {},
  },
  {
    name: 'the root README',
    apply: () => appendFile(file('README.md'), '\nMore docs.\n'),
    expected: {},
  },
  {
    name: 'a root package.json script (the ci:affected line itself)',
    apply: () =>
      editJson('package.json', (pkg) => (pkg.scripts['ci:affected'] = 'node --import tsx tools/affected/src/cli.ts')),
    expected: {},
  },
];

describe('ci:affected on a real git fixture (4 generated services)', () => {
  it.each(cases)('$name', async ({ apply, expected, stderr }) => {
    await change(apply);
    const run = await cli(['--base=fixture', '--head=HEAD', '--json']);
    const actual = parse(run);
    expect(actual).toEqual(typeof expected === 'function' ? await expected() : expected);
    expect(Object.keys(actual)).toEqual(Object.keys(actual).sort()); // sorted by name
    expect(run.stderr).not.toMatch(/no finer reason/);
    if (stderr) expect(run.stderr).toMatch(stderr);
  });

  it('tells an affected-for-checks service from one that needs a new artifact (human output)', async () => {
    await change(async () => {
      await appendFile(file('services/orders/test/routes/items.spec.ts'), '// more tests\n');
      await appendFile(file('services/catalog/src/routes/items.ts'), '// tweak\n');
      await appendFile(file('services/billing/README.md'), '# billing\n');
      await editJson('platform/environments/production.json', (env) => (env.replicas = 3));
      await appendFile(file('templates/service/src/main.ts'), '// v2\n');
    });
    const run = await cli(['--base=fixture', '--head=HEAD']);
    expect(run.exitCode, run.stderr).toBe(0);
    const row = (service: string) =>
      run.stdout
        .split('\n')
        .find((l) => l.startsWith(`${service} `))!
        .split(/\s{2,}/);
    // SERVICE TEAM REBUILD DEPLOY CHECKS WHY
    expect(row('catalog').slice(0, 5)).toEqual([
      'catalog',
      'catalog',
      'yes',
      'yes',
      'contract,drift,lint,test,typecheck',
    ]);
    expect(row('orders').slice(0, 5)).toEqual(['orders', 'fulfilment', 'no', 'yes', 'drift,lint,test,typecheck']);
    expect(row('billing').slice(0, 5)).toEqual(['billing', 'finance', 'no', 'yes', 'drift,lint,test,typecheck']);
    expect(row('reviews').slice(0, 5)).toEqual(['reviews', 'customer-engagement', 'no', 'yes', '-']);
    // --json carries the same columns for CI: a deploy-only change (reviews: an environment file) is told from one
    // that needs a new artifact (catalog), and every target the change reaches is listed.
    const json = await cli(['--base=fixture', '--head=HEAD', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const services = (JSON.parse(json.stdout) as { services: Record<string, unknown>[] }).services;
    const columns = Object.fromEntries(
      services.map(({ name, rebuild, deploy, checks }) => [name, { rebuild, deploy, checks }]),
    );
    const checks = ['drift', 'lint', 'test', 'typecheck'];
    expect(columns).toEqual({
      billing: { rebuild: false, deploy: true, checks },
      catalog: { rebuild: true, deploy: true, checks: ['contract', ...checks] },
      orders: { rebuild: false, deploy: true, checks },
      reviews: { rebuild: false, deploy: true, checks: [] },
    });
    const targets = Object.fromEntries(services.map(({ name, targets }) => [name, targets]));
    expect(targets['reviews']).toEqual(['deploy']);
    expect(targets['catalog']).toEqual(expect.arrayContaining(['build', 'artifact', ...checks, 'deploy']));
    // The platform projects whose tests read templates/ re-test (affected's fixture runs nx g, contract describes the
    // rendered chassis, the workspace creator copies templates/); no service does.
    expect(run.stdout).toMatch(
      /templates\/service\/src\/main\.ts\s+→ affected, contract, e2e, generators, workspace \(not services\)/,
    );
  });

  it('a consumer of a changed contract needs its contract check, not a new artifact or a deploy', async () => {
    await change(async () => {
      await mkdir(file('services/catalog/contract'), { recursive: true });
      await writeFile(file('services/catalog/contract/openapi.json'), '{"openapi": "3.0.3", "paths": {}}\n');
    });
    const json = await cli(['--base=fixture', '--head=HEAD', '--json']);
    expect(json.exitCode, json.stderr).toBe(0);
    const orders = (JSON.parse(json.stdout) as { services: Record<string, unknown>[] }).services.find(
      (service) => service.name === 'orders',
    );
    expect(orders).toMatchObject({ rebuild: false, deploy: false, checks: ['contract'], targets: ['contract'] });
  });

  it('a tool bump reaches only the targets that run it: vitest re-runs tests, esbuild makes a new artifact', async () => {
    const catalogRow = async (apply: () => Promise<unknown>) => {
      await change(apply);
      const run = await cli(['--base=fixture', '--head=HEAD']);
      expect(run.exitCode, run.stderr).toBe(0);
      return run.stdout
        .split('\n')
        .find((l) => l.startsWith('catalog '))!
        .split(/\s{2,}/)
        .slice(0, 5);
    };
    // SERVICE TEAM REBUILD DEPLOY CHECKS
    expect(await catalogRow(() => bumpLock('node_modules/vitest', '4.1.13'))).toEqual([
      'catalog',
      'catalog',
      'no',
      'no',
      'test',
    ]);
    expect(await catalogRow(() => bumpLock('node_modules/esbuild', '0.27.8'))).toEqual([
      'catalog',
      'catalog',
      'yes',
      'yes',
      'test',
    ]);
  });

  it('includes uncommitted changes without --head, and leaves them out (with a warning) with --head=HEAD', async () => {
    await change(() => appendFile(file('services/catalog/src/routes/items.ts'), '// work in progress\n'), false);
    const workingTree = await cli(['--base=fixture', '--json']);
    expect(parse(workingTree)).toEqual({ catalog: ['services/catalog/src/routes/items.ts'] });
    expect(workingTree.stderr).toMatch(/Includes 1 uncommitted or untracked file/);
    const committed = await cli(['--base=fixture', '--head=HEAD', '--json']);
    expect(parse(committed)).toEqual({});
    expect(committed.stderr).toMatch(/warning: 1 uncommitted file\(s\) left out because --head is set/);
  });

  it('refuses bad refs with the fix in the message, exit code 2', async () => {
    await change(async () => undefined);
    const badBase = await cli(['--base=origin/does-not-exist', '--json']);
    expect(badBase.exitCode).toBe(2);
    expect(badBase.stdout).toBe('');
    expect(badBase.stderr).toMatch(/--base=origin\/does-not-exist is not a commit in this clone\. Fix: fetch it/);
    const badHead = await cli(['--base=fixture', '--head=nope']);
    expect(badHead.exitCode).toBe(2);
    expect(badHead.stderr).toMatch(/--head=nope is not a commit/);
    const notCheckedOut = await cli(['--base=fixture', '--head=fixture~1']);
    expect(notCheckedOut.exitCode).toBe(2);
    expect(notCheckedOut.stderr).toMatch(/check the head out first/);
    const unknownFlag = await cli(['--bse=main']);
    expect(unknownFlag.exitCode).toBe(2);
    expect(unknownFlag.stderr).toMatch(/Usage: npm run ci:affected/);
  });

  it('names the fetch that brings a remote-tracking --base the clone lacks, or says the remote has no such branch', async () => {
    await change(async () => undefined);
    // The remote: a bare copy of the fixture repository; this clone has fetched none of its branches yet.
    const remote = await mkdtemp(join(tmpdir(), 'musiccorp-affected-remote-'));
    await git('clone', '-q', '--bare', root, remote);
    await git('remote', 'add', 'origin', remote);
    try {
      const missing = await cli(['--base=origin/fixture', '--json']);
      expect(missing.exitCode).toBe(2);
      expect(missing.stderr).toContain(
        '--base=origin/fixture is not a commit in this clone. Fix: fetch it (`git fetch origin fixture:refs/remotes/origin/fixture`)',
      );
      await git('fetch', '-q', 'origin', 'fixture:refs/remotes/origin/fixture');
      expect(parse(await cli(['--base=origin/fixture', '--json']))).toEqual({});
      const noBranch = await cli(['--base=origin/zzz', '--json']);
      expect(noBranch.exitCode).toBe(2);
      expect(noBranch.stderr).toContain(
        '--base=origin/zzz is not a commit in this clone, and origin has no branch zzz',
      );
      expect(noBranch.stderr).not.toContain('git fetch');
    } finally {
      await git('remote', 'remove', 'origin');
      await rm(remote, { recursive: true, force: true });
    }
  });
});
