/**
 * npm run bench:pipeline [-- --services=20 --runs=1 --quiet-wait=30]
 *
 * What does a change to ONE service cost in CI, against running the same pipeline for every service? A scratch copy
 * of this workspace gets --services services from the real service generator (in-process, as bench:affected), with
 * loose perf thresholds (minRequestsPerSecond 100, maxP99Ms 1000: the machine's speed must not fail a run), committed;
 * then one service's source changes, committed.
 *  - ours:   `npm run ci -- --base=HEAD~1 --head=HEAD --approve=production` — one service's whole chain
 *            (lint/typecheck/test → build → artifact → slow-test → perf → deploy ci, preprod, production);
 *  - anchor: `npm run ci -- --base=<commit before the services> --head=HEAD --approve=production` — the same tool and
 *            chain for all --services services (every one is affected: all its files are new).
 * Before each run Nx's cache and workspace data, dist/, deploy/ output and the artifact store are removed, so neither
 * run reuses the other's work. Container storages are temp dirs (PIPELINE_BUILD_STORAGE, PIPELINE_RUN_STORAGE, as
 * e2e/pipeline.e2e.spec.ts does), perf loads for 2 s (PERF_DURATION_SECONDS=2). Both runs must exit 0 and finish with
 * exactly the expected services deployed to production, or the benchmark stops.
 *
 * Prints a markdown table and saves bench/results/pipeline.md + pipeline.json. Exits 0 unless the benchmark broke.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { changeServiceSource, generateServices } from './affected.bench';
import { countFlag, parseFlags, resultsFileFlag, runBenchmark } from './lib/cli';
import { QUIET_CORES, quietWaitFlag, untilQuiet } from './lib/cpu';
import { environment, evaluate, loadAverage1m, saveResult, type Row } from './lib/report';
import { median, summarize } from './lib/stats';
import { loadTools, type ScratchWorkspace } from './lib/tools';
import { log, timed } from './lib/util';

const TARGET_RATIO = 0.1;
const LOOSE_THRESHOLDS = { minRequestsPerSecond: 100, maxP99Ms: 1000 };

type ContainersModule = typeof import('@musiccorp/artifact/containers');
type TempStorage = import('@musiccorp/artifact/containers').TempStorage;

interface PipelineFile {
  stages: { name: string; thresholds?: Record<string, number> }[];
}

/** Removes everything a pipeline run leaves that a later run could reuse (the container storages stay: base layers). */
async function clean(ws: ScratchWorkspace): Promise<void> {
  for (const dir of ['.nx/cache', '.nx/workspace-data', 'dist', '.artifacts/oci'])
    await rm(join(ws.root, dir), { recursive: true, force: true });
  await ws.run('git', ['checkout', '--', 'deploy']).catch(() => undefined);
  await ws.run('git', ['clean', '-fdq', '--', 'deploy']).catch(() => undefined);
}

/** Services whose last-run.json records a passed production deploy. */
async function deployedToProduction(ws: ScratchWorkspace): Promise<string[]> {
  const dir = join(ws.root, 'dist', 'pipeline');
  const names = await readdir(dir).catch(() => [] as string[]);
  const done: string[] = [];
  for (const name of names) {
    const raw = await readFile(join(dir, name, 'last-run.json'), 'utf8').catch(() => '');
    if (!raw) continue;
    const run = JSON.parse(raw) as { stages: { name: string; status: string }[] };
    if (run.stages.some((s) => s.name === 'deploy:production' && s.status === 'passed')) done.push(name);
  }
  return done.sort();
}

async function main(): Promise<void> {
  const flags = parseFlags('npm run bench:pipeline --', {
    services: countFlag(20, 'services to generate (the all-services run takes ~30 s per service on 2 cores)', 2),
    runs: countFlag(1, 'timed runs of each (one, then all)'),
    out: resultsFileFlag('pipeline'),
    'quiet-wait': quietWaitFlag(30),
  });
  const env = await environment();
  const { createScratchWorkspace } = await loadTools();
  const containers = (await import('@musiccorp/artifact/containers')) as ContainersModule;
  await containers.requireTools(['buildah', 'skopeo', 'podman']);
  log('creating the scratch workspace and temp container storages…');
  const ws = await createScratchWorkspace('musiccorp-bench-pipeline-');
  let buildStorage: TempStorage | undefined;
  let runStorage: TempStorage | undefined;
  try {
    buildStorage = await containers.createTempStorage('musiccorp-bench-build-');
    runStorage = await containers.createTempStorage('musiccorp-bench-run-');
    const { stdout: before } = await ws.run('git', ['rev-parse', 'HEAD']);
    const generated = await generateServices(ws, flags.services, (tree, name) => {
      const file = `services/${name}/pipeline.json`;
      const text = tree.read(file, 'utf-8');
      if (text === null) throw new Error(`The service generator wrote no ${file}.`);
      const pipeline = JSON.parse(text) as PipelineFile;
      const perf = pipeline.stages.find((stage) => stage.name === 'perf');
      if (!perf) throw new Error(`${file} has no perf stage to loosen the thresholds of.`);
      perf.thresholds = { ...perf.thresholds, ...LOOSE_THRESHOLDS };
      tree.write(file, `${JSON.stringify(pipeline, null, 2)}\n`);
    });
    log(`generated ${flags.services} services in ${(generated.ms / 1000).toFixed(1)} s`);
    await ws.commit(`bench: ${flags.services} services`);
    const [changed] = generated.names;
    if (changed === undefined) throw new Error(`Generating ${flags.services} services gave none to change.`);
    const changedFile = await changeServiceSource(ws, changed);
    await ws.commit(`bench: change ${changed}`);

    const runEnv = {
      PIPELINE_BUILD_STORAGE: dirname(buildStorage.root),
      PIPELINE_RUN_STORAGE: dirname(runStorage.root),
      PERF_DURATION_SECONDS: '2',
      FORCE_COLOR: '0',
      NX_TUI: 'false',
      npm_config_dry_run: 'true',
      npm_config_offline: 'true',
    };
    const ci = async (base: string, expected: string[]) => {
      await clean(ws);
      const busy = await untilQuiet(flags['quiet-wait']);
      const args = ['run', '-s', 'ci', '--', `--base=${base}`, '--head=HEAD', '--approve=production'];
      const run = await timed(() =>
        ws.run('npm', args, { env: runEnv }).then(
          (done) => ({ exitCode: 0, output: `${done.stdout}\n${done.stderr}` }),
          (error: { exitCode?: number; stdout?: string; stderr?: string }) => {
            if (error.exitCode === undefined) throw error;
            return { exitCode: error.exitCode, output: `${error.stdout ?? ''}\n${error.stderr ?? ''}` };
          },
        ),
      );
      const output = stripVTControlCharacters(run.value.output);
      const deployed = await deployedToProduction(ws);
      if (run.value.exitCode !== 0 || deployed.join(',') !== [...expected].sort().join(',')) {
        throw new Error(
          `\`npm ${args.join(' ')}\` exited ${run.value.exitCode} and deployed [${deployed.join(', ')}] to production, expected [${[...expected].sort().join(', ')}]; the benchmark stops.\n${output.split('\n').slice(-60).join('\n')}`,
        );
      }
      return { ms: run.ms, busy, output };
    };

    const one: number[] = [];
    const all: number[] = [];
    const busy: number[] = [];
    let lastOne = '';
    let lastAll = '';
    for (let round = 1; round <= flags.runs; round++) {
      log(`round ${round}/${flags.runs}: one service (${changed})…`);
      const o = await ci('HEAD~1', [changed]);
      one.push(o.ms);
      busy.push(o.busy);
      lastOne = o.output;
      log(`  one: ${(o.ms / 1000).toFixed(1)} s; now all ${flags.services} services…`);
      const a = await ci(before.trim(), generated.names);
      all.push(a.ms);
      busy.push(a.busy);
      lastAll = a.output;
      log(`  all: ${(a.ms / 1000).toFixed(1)} s`);
    }

    const perService = median(all) / flags.services;
    const rows: Row[] = [
      {
        metric: 'wall time, median',
        unit: 's',
        ours: median(one) / 1000,
        anchor: median(all) / 1000,
        digits: 1,
        target: { on: 'ratio', op: '<=', value: TARGET_RATIO, label: `ratio ≤ 1/${1 / TARGET_RATIO}` },
      },
      { metric: 'services through the whole chain', unit: '', ours: 1, anchor: flags.services },
      { metric: 'wall time per service', unit: 's', ours: median(one) / 1000, anchor: perService / 1000, digits: 1 },
    ];
    const busyRuns = busy.filter((b) => b >= QUIET_CORES).length;
    const affectedLine = (output: string) => /^Affected services: .*$/m.exec(output)?.[0] ?? '(no summary line)';
    await saveResult({
      benchmark: 'pipeline',
      file: flags.out,
      title: `CI for a one-service change vs the same pipeline for all ${flags.services} services`,
      ours: '`npm run ci -- --base=HEAD~1 --head=HEAD --approve=production` (1 service changed)',
      anchor: `\`npm run ci -- --base=<commit before the ${flags.services} services> --head=HEAD --approve=production\` (all ${flags.services})`,
      anchorName: `all ${flags.services}`,
      env,
      config: {
        services: flags.services,
        runs: flags.runs,
        PERF_DURATION_SECONDS: 2,
        parallel: 2,
        thresholds: 'minRequestsPerSecond 100, maxP99Ms 1000',
        quietWait: flags['quiet-wait'],
      },
      rows: rows.map(evaluate),
      notes: [
        `${flags.services} services generated by serviceGenerator in-process (${(generated.ms / 1000).toFixed(1)} s), committed; then ${changedFile} changed, committed.`,
        `ours: "${affectedLine(lastOne)}"; all: "${affectedLine(lastAll)}". Both ran every stage to deploy:production (checked in each service's last-run.json).`,
        "Before each run .nx/cache, .nx/workspace-data, dist/, the deploy/ output and .artifacts/oci were removed: no run reuses another one's lint, test, build or image. The temp container storages are kept between runs (base image layers), as on a CI runner with a warm image cache; the one-service run goes first on fresh storages, so any one-off storage setup counts against ours (the ratio errs against ours).",
        `Each run includes npm/tsx start and the affected computation (ci:affected in-process); the all-services run processes ${flags.services} chains with --parallel=2 and perf alone (parallelism: false).${flags.services < 20 ? ` Reduced from the default 20 services to ${flags.services} (time); the all-services time grows about linearly with the count (${(perService / 1000).toFixed(1)} s per service here), the one-service time does not.` : ''}`,
        busyRuns === 0
          ? `Every timed run started on a quiet machine (other processes < ${QUIET_CORES} core in the second before).`
          : `WARNING: ${busyRuns} of ${busy.length} runs started while other processes used ≥ ${QUIET_CORES} core; those times are inflated.`,
        `Load average (1 m): ${env.loadAverage1m} at start, ${loadAverage1m().toFixed(2)} at end (2 cores, shared).`,
        `All samples (s) — one: ${one.map((v) => (v / 1000).toFixed(1)).join(', ')}; all: ${all.map((v) => (v / 1000).toFixed(1)).join(', ')}.`,
      ],
      raw: {
        samples: { one, all },
        summary: { one: summarize(one), all: summarize(all) },
        busyCoresBefore: busy,
        changed,
        changedFile,
        outputTail: { one: lastOne.split('\n').slice(-40), all: lastAll.split('\n').slice(-60) },
      },
    });
  } finally {
    await ws.dispose();
    await buildStorage?.dispose();
    await runStorage?.dispose();
  }
}

runBenchmark('pipeline', main);
