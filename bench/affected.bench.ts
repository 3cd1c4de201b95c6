/**
 * npm run bench:affected [-- --services=300 --runs=3 --quiet-wait=30]
 *
 * How long does `npm run -s ci:affected -- --base=HEAD~1 --head=HEAD --json` (tools/affected) take in a monorepo of
 * --services services when one service's source changed? A scratch copy of this workspace gets --services services
 * made by the real service generator (serviceGenerator, in-process on an Nx FsTree: `nx g` costs ~1 s per service),
 * committed; then one service's src/routes/items.ts changes, committed. Ours is timed cold (.nx/workspace-data deleted
 * before every run, NX_DAEMON=false) and warm (Nx's workspace data kept). The floor, in the same run, interleaved: `git
 * diff --name-only HEAD~1 HEAD` plus mapping each path to its services/<name>/ folder in-process — what any answer
 * must at least cost. Every run of both must list exactly the changed service, or the benchmark stops.
 *
 * Prints a markdown table and saves bench/results/affected.md + affected.json. Exits 0 unless the benchmark broke.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { countFlag, parseFlags, resultsFileFlag, runBenchmark } from './lib/cli';
import { QUIET_CORES, quietWaitFlag, untilQuiet } from './lib/cpu';
import { environment, evaluate, loadAverage1m, saveResult, type Row } from './lib/report';
import { median, min, summarize } from './lib/stats';
import { loadTools, type ScratchWorkspace } from './lib/tools';
import { log, timed } from './lib/util';

const TARGET_COLD_MS = 2000;
const TEAMS = ['platform', 'catalog', 'fulfilment', 'finance', 'customer-engagement'];
/** Ports for the generated services, clear of the committed ones (3100+). */
const FIRST_PORT = 20000;
const GUARD_ENV = { npm_config_dry_run: 'true', npm_config_offline: 'true', NX_DAEMON: 'false', FORCE_COLOR: '0' };

type GeneratorModule = typeof import('../generators/src/service/generator');
type FsTreeModule = typeof import('nx/src/generators/tree');

/** The name of generated service i (1-based): bench-svc-001 … */
export const serviceName = (i: number) => `bench-svc-${String(i).padStart(3, '0')}`;

/**
 * Creates `count` services in the scratch workspace with the workspace's own service generator, run in-process on one
 * Nx FsTree per service, flushed after each (what `nx g` does, without ~1 s of CLI start and project graph each). The
 * generator is loaded from the scratch copy, so it renders the copy's templates. Nothing is committed here.
 * `edit` may change each service's files in the tree before the flush (e.g. pipeline.json thresholds).
 */
export async function generateServices(
  ws: ScratchWorkspace,
  count: number,
  edit?: (tree: import('nx/src/generators/tree').FsTree, name: string) => void,
): Promise<{ names: string[]; ms: number; files: number }> {
  const { serviceGenerator } = (await import(
    join(ws.root, 'generators', 'src', 'service', 'generator.ts')
  )) as GeneratorModule;
  const { FsTree, flushChanges } = (await import(
    require.resolve('nx/src/generators/tree', { paths: [ws.root] })
  )) as FsTreeModule;
  const names: string[] = [];
  const { ms, value: files } = await timed(async () => {
    // One tree per service, flushed at once (as `nx g` does): FsTree merges its pending changes into every directory
    // listing, so one tree for all services makes the generator's project lookups quadratic in pending changes.
    let files = 0;
    for (let i = 1; i <= count; i++) {
      const tree = new FsTree(ws.root, false);
      const name = serviceName(i);
      const team = TEAMS[i % TEAMS.length];
      if (team === undefined) throw new Error('TEAMS names no team to own the generated services.');
      await serviceGenerator(tree, { name, team, port: FIRST_PORT + i });
      edit?.(tree, name);
      const changes = tree.listChanges();
      flushChanges(ws.root, changes);
      files += changes.length;
      names.push(name);
    }
    return files;
  });
  return { names, ms, files };
}

/** What a team does: one more route in a service's sample routes file. */
export async function changeServiceSource(ws: ScratchWorkspace, name: string): Promise<string> {
  const relative = `services/${name}/src/routes/items.ts`;
  const file = join(ws.root, relative);
  await writeFile(file, `${await readFile(file, 'utf8')}\n// bench: a change to ${name}\n`);
  return relative;
}

const execFileAsync = promisify(execFile);

/** The floor: changed paths from git, mapped to services/<name>/ in-process. */
async function floor(root: string): Promise<string[]> {
  const { stdout } = await execFileAsync('git', ['diff', '--name-only', 'HEAD~1', 'HEAD'], { cwd: root });
  const services = new Set<string>();
  for (const path of stdout.split('\n')) {
    const service = /^services\/([^/]+)\//.exec(path)?.[1];
    if (service !== undefined) services.add(service);
  }
  return [...services].sort();
}

async function ours(ws: ScratchWorkspace): Promise<string[]> {
  const { stdout } = await ws.run('npm', ['run', '-s', 'ci:affected', '--', '--base=HEAD~1', '--head=HEAD', '--json'], {
    env: GUARD_ENV,
  });
  const parsed = JSON.parse(stdout) as { services: { name: string }[] };
  return parsed.services.map((s) => s.name).sort();
}

function check(what: string, got: string[], expected: string): void {
  if (got.length !== 1 || got[0] !== expected)
    throw new Error(`${what} listed [${got.join(', ')}], expected exactly [${expected}]; the benchmark stops.`);
}

async function main(): Promise<void> {
  const flags = parseFlags('npm run bench:affected --', {
    services: countFlag(300, 'services to generate'),
    runs: countFlag(3, 'timed runs of each (cold, warm, floor)'),
    out: resultsFileFlag('affected'),
    'quiet-wait': quietWaitFlag(30),
  });
  const env = await environment();
  const { createScratchWorkspace } = await loadTools();
  log('creating the scratch workspace…');
  const ws = await createScratchWorkspace('musiccorp-bench-affected-');
  try {
    log(`generating ${flags.services} services in-process…`);
    const generated = await generateServices(ws, flags.services);
    log(`generated ${flags.services} services (${generated.files} files) in ${(generated.ms / 1000).toFixed(1)} s`);
    await ws.commit(`bench: ${flags.services} services`);
    const changed = generated.names[Math.floor(generated.names.length / 2)];
    if (changed === undefined) throw new Error(`Generating ${flags.services} services gave none to change.`);
    const changedFile = await changeServiceSource(ws, changed);
    await ws.commit(`bench: change ${changed}`);
    const { stdout: projectCount } = await ws.run('npx', ['nx', 'show', 'projects', '--json'], { env: GUARD_ENV });
    const projects = (JSON.parse(projectCount) as string[]).length;

    const cold: number[] = [];
    const warm: number[] = [];
    const floorMs: number[] = [];
    const busy: number[] = [];
    const wait = async () => {
      busy.push(await untilQuiet(flags['quiet-wait']));
    };
    // Warm-up of the floor (git's own caches) and of ours (OS file cache), then interleaved timed rounds. Ours' warm-up
    // is what the first run in a fresh clone costs (no workspace data, no tools/.cache bundle yet): reported, no target.
    check('floor (warm-up)', await floor(ws.root), changed);
    await rm(join(ws.root, '.nx', 'workspace-data'), { recursive: true, force: true }); // `nx show projects` made it
    await wait();
    const first = await timed(() => ours(ws));
    check('ours (first run)', first.value, changed);
    for (let round = 1; round <= flags.runs; round++) {
      await rm(join(ws.root, '.nx', 'workspace-data'), { recursive: true, force: true });
      await wait();
      const c = await timed(() => ours(ws));
      check('ours (cold)', c.value, changed);
      cold.push(c.ms);
      await wait();
      const w = await timed(() => ours(ws));
      check('ours (warm)', w.value, changed);
      warm.push(w.ms);
      await wait();
      const f = await timed(() => floor(ws.root));
      check('floor', f.value, changed);
      floorMs.push(f.ms);
      log(
        `round ${round}/${flags.runs}: cold ${c.ms.toFixed(0)} ms, warm ${w.ms.toFixed(0)} ms, floor ${f.ms.toFixed(1)} ms`,
      );
    }

    const rows: Row[] = [
      {
        metric: 'cold (no .nx/workspace-data), median',
        unit: 'ms',
        ours: median(cold),
        anchor: median(floorMs),
        target: { on: 'ours', op: '<=', value: TARGET_COLD_MS, label: `≤ ${TARGET_COLD_MS} ms` },
      },
      { metric: 'cold, min', unit: 'ms', ours: min(cold), anchor: min(floorMs) },
      { metric: 'warm (workspace data kept), median', unit: 'ms', ours: median(warm), anchor: median(floorMs) },
      { metric: 'warm, min', unit: 'ms', ours: min(warm), anchor: min(floorMs) },
      {
        metric: 'first run in a fresh clone (builds the CLI bundle)',
        unit: 'ms',
        ours: first.ms,
        anchor: floorMs[0] ?? null, // the first timed floor run; none would show "—"
      },
      {
        metric: 'correct runs (exactly the changed service)',
        unit: '%',
        ours: 100,
        anchor: 100,
        target: { on: 'ours', op: '>=', value: 100, label: '100 %' },
      },
    ];
    const busyRuns = busy.filter((b) => b >= QUIET_CORES).length;
    await saveResult({
      benchmark: 'affected',
      file: flags.out,
      title: `Affected services: ci:affected vs git diff floor, ${flags.services} generated services`,
      ours: '`npm run -s ci:affected -- --base=HEAD~1 --head=HEAD --json` (NX_DAEMON=false)',
      anchor: '`git diff --name-only HEAD~1 HEAD` + mapping paths to services/<name>/ in-process',
      anchorName: 'git diff floor',
      env,
      config: {
        services: flags.services,
        projects,
        runs: flags.runs,
        interleaved: true,
        NX_DAEMON: false,
        quietWait: flags['quiet-wait'],
      },
      rows: rows.map(evaluate),
      notes: [
        `${flags.services} services generated by serviceGenerator in-process, one Nx FsTree each (${generated.files} files, ${(generated.ms / 1000).toFixed(1)} s), committed; then ${changedFile} changed, committed. Nx sees ${projects} projects.`,
        `Cold: .nx/workspace-data deleted before the run (Nx rebuilds the project graph and file hashes). Warm: the run right after, Nx's workspace data kept. Each includes npm (\`npm run -s\`) and Node start; the CLI runs from its esbuild bundle (tools/core/bin/run.mjs), built by the first run.`,
        `Every run of ours and of the floor (${flags.runs} timed each plus one warm-up) listed exactly [${changed}]; a wrong answer stops the benchmark.`,
        busyRuns === 0
          ? `Every timed run started on a quiet machine (other processes < ${QUIET_CORES} core in the second before).`
          : `WARNING: ${busyRuns} of ${busy.length} timed runs started while other processes used ≥ ${QUIET_CORES} core; those times are inflated.`,
        `Load average (1 m): ${env.loadAverage1m} at start, ${loadAverage1m().toFixed(2)} at end (2 cores, shared).`,
        `All samples (ms) — cold: ${cold.map((v) => v.toFixed(0)).join(', ')}; warm: ${warm.map((v) => v.toFixed(0)).join(', ')}; floor: ${floorMs.map((v) => v.toFixed(1)).join(', ')}.`,
      ],
      raw: {
        samples: { first: first.ms, cold, warm, floor: floorMs },
        summary: { cold: summarize(cold), warm: summarize(warm), floor: summarize(floorMs) },
        busyCoresBefore: busy,
        changed,
        changedFile,
        generation: { ms: generated.ms, files: generated.files },
      },
    });
  } finally {
    await ws.dispose();
  }
}

if (require.main === module) runBenchmark('affected', main);
