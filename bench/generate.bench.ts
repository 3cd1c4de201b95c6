/**
 * npm run bench:generate [-- --runs=7 --warmup=1]
 *
 * Wall time of `npx nx g @musiccorp/generators:service` (ours) vs `npx nx g @nx/node:application --framework=fastify`
 * (the anchor), interleaved in ONE scratch workspace with the Nx daemon off. Prints a markdown table and saves
 * bench/results/generate.md + generate.json. Exits 0 unless the benchmark itself broke (a failed generator run aborts
 * it: failures are never timed).
 */
import { createRequire } from 'node:module';
import { stripVTControlCharacters } from 'node:util';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { countFlag, parseFlags, resultsFileFlag, runBenchmark } from './lib/cli';
import { QUIET_CORES, quietWaitFlag, untilQuiet } from './lib/cpu';
import { WORKSPACE_ROOT } from './lib/paths';
import { environment, evaluate, loadAverage1m, saveResult, type Row } from './lib/report';
import { median, min, summarize } from './lib/stats';
import { loadTools, type ScratchWorkspace } from './lib/tools';
import { countFiles, fingerprint, log, timed, waitForSettledFile } from './lib/util';

const TARGET_RATIO = 0.8;
const TEMPLATE_DIR = join(WORKSPACE_ROOT, 'templates', 'service');

/**
 * Belt and braces for every generator run: should anything start `npm install` anyway, it may neither write (the
 * scratch workspace's node_modules entries are symlinks into the real workspace's node_modules) nor reach the network.
 */
const GUARD_ENV = { npm_config_dry_run: 'true', npm_config_offline: 'true', NX_DAEMON: 'false' };

interface Generator {
  id: 'ours' | 'theirs';
  label: string;
  args: (i: number) => string[];
  /** Folder the run must have created (relative to the workspace). */
  output: (i: number) => string;
}

const OURS: Generator = {
  id: 'ours',
  label: 'nx g @musiccorp/generators:service svc-N --team=catalog',
  args: (i) => ['nx', 'g', '@musiccorp/generators:service', `svc-${i}`, '--team=catalog', '--no-interactive'],
  output: (i) => `services/svc-${i}`,
};

/**
 * --skipPackageJson does not stop @nx/node 22.6.5 from adding fastify/fastify-plugin/@fastify/autoload/
 * @fastify/sensible/tslib to the root package.json (lib/add-dependencies.js ignores it), and a changed package.json
 * makes Nx run `npm install`. No flag prevents that, so the scratch workspace is seeded with those dependencies
 * beforehand (the state after a first fastify app): the generator then leaves package.json alone and installs nothing.
 * Linter, test runners and docker are off explicitly (they are the defaults) so the anchor is a minimal fastify app.
 */
const THEIRS: Generator = {
  id: 'theirs',
  label: 'nx g @nx/node:application --framework=fastify',
  args: (i) => [
    'nx',
    'g',
    '@nx/node:application',
    `--directory=apps/app-${i}`,
    '--framework=fastify',
    '--bundler=esbuild',
    '--linter=none',
    '--unitTestRunner=none',
    '--e2eTestRunner=none',
    '--skipPackageJson',
    '--no-interactive',
  ],
  output: (i) => `apps/app-${i}`,
};

interface RunRecord {
  generator: 'ours' | 'theirs';
  name: string;
  ms: number;
  timed: boolean;
  filesCreated: number;
  filesModified: string[];
  /** Cores other processes used in the second before the run started. */
  busyCoresBefore?: number;
}

async function main(): Promise<void> {
  const flags = parseFlags('npm run bench:generate --', {
    runs: countFlag(7, 'timed runs per generator, interleaved ours/theirs'),
    warmup: countFlag(1, 'untimed runs per generator before timing', 0),
    out: resultsFileFlag('generate'),
    'wait-template': {
      kind: 'number',
      default: 600,
      min: 0,
      help: 'seconds to wait for templates/service/template.json',
    },
    'quiet-wait': quietWaitFlag(60),
  });
  if (flags.runs < 5)
    log(`--runs=${flags.runs} is below the 5 runs a reportable figure needs; treat this as a smoke run.`);

  // The generator cannot render without the template manifest; otherwise it works with whatever template is there.
  await waitForSettledFile(join(TEMPLATE_DIR, 'template.json'), TEMPLATE_DIR, 5_000, flags['wait-template'] * 1000);
  const templateFiles = await countFiles(TEMPLATE_DIR);
  const template = await fingerprint(TEMPLATE_DIR);
  const generators = await fingerprint(join(WORKSPACE_ROOT, 'generators'), (file) =>
    /(^|\/)(node_modules|\.cache|dist)(\/|$)/.test(file),
  );

  const env = await environment();
  const { createScratchWorkspace } = await loadTools();
  log('creating the scratch workspace…');
  const ws = await createScratchWorkspace('musiccorp-bench-generate-');
  try {
    const seeded = await seedAnchorDependencies(ws);
    await assertAnchorLeavesPackageJsonAlone(ws);

    // Floors: what any `npx nx` command costs here (CLI start), and any that needs the project graph (as `nx g` does).
    const floor: number[] = [];
    const graphFloor: number[] = [];
    for (let i = 0; i < 3; i++) {
      await untilQuiet(flags['quiet-wait']);
      floor.push((await timed(() => ws.run('npx', ['nx', '--version'], { env: GUARD_ENV }))).ms);
      graphFloor.push((await timed(() => ws.run('npx', ['nx', 'show', 'projects'], { env: GUARD_ENV }))).ms);
    }

    const records: RunRecord[] = [];
    let next = 1;
    const total = flags.warmup + flags.runs;
    for (let round = 0; round < total; round++) {
      const isTimed = round >= flags.warmup;
      for (const generator of [OURS, THEIRS]) {
        const i = next;
        const busyCoresBefore = await untilQuiet(flags['quiet-wait']);
        const record = { ...(await runOnce(ws, generator, i, isTimed)), busyCoresBefore };
        records.push(record);
        log(
          `${isTimed ? 'run' : 'warm-up'} ${round + 1 - (isTimed ? flags.warmup : 0)}/${isTimed ? flags.runs : flags.warmup} ${generator.id.padEnd(6)} ${record.ms.toFixed(0)} ms (${record.filesCreated} files created, ${record.filesModified.length} modified)`,
        );
      }
      next++;
    }

    const times = (id: 'ours' | 'theirs') => records.filter((r) => r.generator === id && r.timed).map((r) => r.ms);
    const ours = times('ours');
    const theirs = times('theirs');
    const last = (id: 'ours' | 'theirs') => {
      const record = records.filter((r) => r.generator === id).at(-1);
      if (!record) throw new Error(`No ${id} run was recorded (every round runs both generators).`);
      return record;
    };
    const oursFiles = last('ours');
    const theirsFiles = last('theirs');

    const rows: Row[] = [
      {
        metric: 'wall time, median',
        unit: 'ms',
        ours: median(ours),
        anchor: median(theirs),
        target: { on: 'ratio', op: '<=', value: TARGET_RATIO, label: `ratio ≤ ${TARGET_RATIO}` },
      },
      { metric: 'wall time, min', unit: 'ms', ours: min(ours), anchor: min(theirs) },
      { metric: 'files created', unit: '', ours: oursFiles.filesCreated, anchor: theirsFiles.filesCreated },
      {
        metric: 'existing files modified',
        unit: '',
        ours: oursFiles.filesModified.length,
        anchor: theirsFiles.filesModified.length,
      },
    ];
    const floorMs = median(floor);
    const graphFloorMs = median(graphFloor);
    const neededMs = TARGET_RATIO * median(theirs);
    await saveResult({
      benchmark: 'generate',
      file: flags.out,
      title: 'Generator wall time: @musiccorp/generators:service vs @nx/node:application (fastify)',
      ours: `\`npx ${OURS.args(1).join(' ').replace('svc-1', 'svc-N')}\``,
      anchor: `\`npx ${THEIRS.args(1).join(' ').replace('app-1', 'app-N')}\``,
      anchorName: '@nx/node app',
      env,
      config: {
        runs: flags.runs,
        warmup: flags.warmup,
        interleaved: true,
        NX_DAEMON: false,
        workspace: 'one scratch copy',
        quietWait: flags['quiet-wait'],
        template: `templates/service ${template.files} files, sha256 ${template.sha256}, last changed ${template.newestChange}`,
        generators: `generators/ ${generators.files} files, sha256 ${generators.sha256}, last changed ${generators.newestChange}`,
      },
      rows: rows.map(evaluate),
      notes: [
        `Each run creates a fresh project in the same scratch workspace, ours then theirs, ${flags.runs} timed pairs after ${flags.warmup} untimed pair(s); every run is checked (exit code, output folder exists, root package.json untouched) and committed before the next, so every run starts from a clean tree.`,
        `Ours renders templates/service (${templateFiles} template files at the time of the run) and writes ${oursFiles.filesCreated} files; modifies: ${oursFiles.filesModified.join(', ') || 'nothing else'}.`,
        `The anchor writes ${theirsFiles.filesCreated} files (a minimal fastify app: no lint, no tests, no Dockerfile); modifies: ${theirsFiles.filesModified.join(', ') || 'nothing else'}. So ours writes ${(oursFiles.filesCreated / Math.max(1, theirsFiles.filesCreated)).toFixed(1)}× the files.`,
        `--skipPackageJson does not stop @nx/node 22.6.5 from editing the root package.json and then running \`npm install\`; the scratch workspace was seeded with ${seeded.length ? seeded.join(', ') : 'nothing (already present)'} so it neither edits package.json nor installs (checked by a --dry-run before timing and after every run). Without the seed the anchor would run npm install (many seconds, and a write through the node_modules symlinks of the scratch workspace into the real node_modules).`,
        `Floors (median of 3, same workspace): \`npx nx --version\` ${floorMs.toFixed(0)} ms (npx + Nx CLI start); \`npx nx show projects\` ${graphFloorMs.toFixed(0)} ms (plus the project graph, which \`nx g\` also builds). Above the graph floor ours spends ${(median(ours) - graphFloorMs).toFixed(0)} ms and the anchor ${(median(theirs) - graphFloorMs).toFixed(0)} ms. The target needs ours ≤ ${neededMs.toFixed(0)} ms${neededMs < graphFloorMs ? ', below the graph floor: no generator run through `nx g` can reach it against this anchor' : ''}.`,
        busyNote(records.filter((r) => r.timed)),
        `Load average (1 m): ${env.loadAverage1m} at start, ${loadAverage1m().toFixed(2)} at end (2 cores; other engineers' test runs on this machine add noise to wall times).`,
        `All samples (ms) — ours: ${ours.map((v) => v.toFixed(0)).join(', ')}; anchor: ${theirs.map((v) => v.toFixed(0)).join(', ')}.`,
      ],
      raw: {
        samples: { ours, theirs },
        summary: { ours: summarize(ours), theirs: summarize(theirs) },
        floorMs: floor,
        graphFloorMs: graphFloor,
        records,
        templateFiles,
        seededDependencies: seeded,
      },
    });
  } finally {
    await ws.dispose();
  }
}

function busyNote(records: RunRecord[]): string {
  const busy = records.flatMap(({ name, busyCoresBefore: cores = 0 }) =>
    cores >= QUIET_CORES ? [{ name, cores }] : [],
  );
  return busy.length === 0
    ? `Every timed run started on a quiet machine (other processes < ${QUIET_CORES} core in the second before).`
    : `WARNING: ${busy.length} of ${records.length} timed runs started while other processes used ≥ ${QUIET_CORES} core (${busy.map((r) => `${r.name} ${r.cores.toFixed(2)}`).join(', ')}); their wall times are inflated — rerun on a quiet machine.`;
}

async function runOnce(ws: ScratchWorkspace, generator: Generator, i: number, isTimed: boolean): Promise<RunRecord> {
  const args = generator.args(i);
  let result;
  try {
    result = await timed(() => ws.run('npx', args, { env: GUARD_ENV }));
  } catch (error) {
    throw new Error(
      `\`npx ${args.join(' ')}\` failed, so the benchmark stops (failed runs are not timed):\n${(error as Error).message}`,
    );
  }
  const output = `${result.value.stdout}\n${result.value.stderr}`;
  if (/Command failed|npm (error|ERR)/.test(output))
    throw new Error(`\`npx ${args.join(' ')}\` reported a failure:\n${output}`);
  const changes = await changedFiles(ws);
  const folder = `${generator.output(i)}/`;
  const created = changes.filter((c) => c.path.startsWith(folder));
  if (created.length === 0)
    throw new Error(`\`npx ${args.join(' ')}\` exited 0 but created nothing under ${folder}:\n${output}`);
  const modified = changes
    .filter((c) => !c.path.startsWith(folder))
    .map((c) => `${c.path}${c.status === '??' ? ' (new)' : ''}`);
  if (changes.some((c) => c.path === 'package.json')) {
    throw new Error(`\`npx ${args.join(' ')}\` changed the root package.json, so it would run npm install; stopping.`);
  }
  await ws.commit(`bench: ${args.join(' ')}`);
  return {
    generator: generator.id,
    name: generator.output(i),
    ms: result.ms,
    timed: isTimed,
    filesCreated: created.length,
    filesModified: modified,
  };
}

async function changedFiles(ws: ScratchWorkspace): Promise<{ status: string; path: string }[]> {
  const { stdout } = await ws.run('git', ['status', '--porcelain=v1', '-uall', '--no-renames']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ status: line.slice(0, 2), path: line.slice(3) }));
}

/** Adds to the scratch package.json the dependencies @nx/node's fastify app would add, if missing; returns them. */
async function seedAnchorDependencies(ws: ScratchWorkspace): Promise<string[]> {
  const require = createRequire(join(ws.root, 'package.json'));
  const node = require('@nx/node/src/utils/versions') as Record<string, string>;
  const js = require('@nx/js/src/utils/versions') as Record<string, string>;
  const wanted: { section: 'dependencies' | 'devDependencies'; name: string; version: string | undefined }[] = [
    { section: 'dependencies', name: 'fastify', version: node.fastifyVersion },
    { section: 'dependencies', name: 'fastify-plugin', version: node.fastifyPluginVersion },
    { section: 'dependencies', name: '@fastify/autoload', version: node.fastifyAutoloadVersion },
    { section: 'dependencies', name: '@fastify/sensible', version: node.fastifySensibleVersion },
    { section: 'dependencies', name: 'tslib', version: node.tslibVersion },
    { section: 'devDependencies', name: '@nx/esbuild', version: node.nxVersion },
    { section: 'devDependencies', name: 'esbuild', version: js.esbuildVersion },
    { section: 'devDependencies', name: '@types/node', version: node.typesNodeVersion },
  ];
  const file = join(ws.root, 'package.json');
  const pkg = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, string> | undefined>;
  const seeded: string[] = [];
  for (const { section, name, version } of wanted) {
    if (!version) throw new Error(`@nx/node no longer exports a version for ${name}; update seedAnchorDependencies.`);
    if (pkg.dependencies?.[name] || pkg.devDependencies?.[name]) continue;
    pkg[section] = { ...pkg[section], [name]: version };
    seeded.push(`${name}@${version}`);
  }
  await writeFile(file, `${JSON.stringify(pkg, null, 2)}\n`);
  await ws.commit('bench: dependencies a fastify app from @nx/node adds');
  return seeded;
}

/** A --dry-run of the anchor must not touch the root package.json (which would trigger `npm install`). */
async function assertAnchorLeavesPackageJsonAlone(ws: ScratchWorkspace): Promise<void> {
  const { stdout, stderr } = await ws.run('npx', [...THEIRS.args(0), '--dry-run'], { env: GUARD_ENV });
  const output = stripVTControlCharacters(`${stdout}\n${stderr}`);
  if (/^\s*(UPDATE|CREATE)\s+package\.json\s*$/m.test(output)) {
    throw new Error(
      `Even after seeding, @nx/node would update the root package.json (and run npm install):\n${output}`,
    );
  }
}

runBenchmark('generate', main);
