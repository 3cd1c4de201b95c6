/**
 * npm run bench:upgrade [-- --services=300 --runs=3 --quiet-wait=30]
 *
 * How long does carrying every service forward to a new template take? A scratch copy of this workspace (its
 * committed services removed: they record a commit of this repository, which the copy's history lacks) gets
 * --services services from the real service generator (in-process, as bench:affected), each with a team edit at the
 * end of its team-owned src/readiness.ts, committed. Then templates/service changes in one chassis file (a line at the
 * top of src/chassis/health.ts) and in that team-owned file (its first comment line), committed. Interleaved, in one
 * run:
 *  - ours:  `npx nx g @musiccorp/generators:upgrade --all` (NX_DAEMON=false), then every service's files checked and
 *           the scratch reset to the commit (untimed);
 *  - floor: in-process, what any upgrade must at least do: templates/ of both commits extracted from git and rendered
 *           once, then `git merge-file` (base = old render, ours = the service's file, theirs = new render) for each
 *           team-owned file the template changed, in every service;
 *  - `npm run -s outdated -- --json` on the same commit, checked to list every service one commit behind, drift-clean,
 *    with the chassis file as what an upgrade changes.
 * Every upgraded service must hold the new chassis file, the floor's (clean) merge of its team-owned file and the new
 * commit in its provenance, or the benchmark stops.
 *
 * Prints a markdown table and saves bench/results/upgrade.md + upgrade.json. Exits 0 unless the benchmark broke.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateServices } from './affected.bench';
import { countFlag, parseFlags, resultsFileFlag, runBenchmark } from './lib/cli';
import { QUIET_CORES, quietWaitFlag, untilQuiet } from './lib/cpu';
import { environment, evaluate, loadAverage1m, saveResult, type Row } from './lib/report';
import { median, min, summarize } from './lib/stats';
import { loadTools } from './lib/tools';
import { log, timed } from './lib/util';

const TARGET_UPGRADE_MS = 30_000;
const TARGET_RATIO = 3;
const TARGET_OUTDATED_MS = 2000;
const GUARD_ENV = { npm_config_dry_run: 'true', npm_config_offline: 'true', NX_DAEMON: 'false', FORCE_COLOR: '0' };

/** The chassis (platform-owned) file the template changes, and the team-owned one both the team and it change. */
const CHASSIS_FILE = 'src/chassis/health.ts';
const TEAM_FILE = 'src/readiness.ts';
/** The team's edit: its readiness check, at the end of the file. */
const TEAM_LINE = {
  from: 'export const readinessChecks: ReadinessCheck[] = [];',
  to: [
    'export const readinessChecks: ReadinessCheck[] = [',
    "  { name: 'bench-store', check: async () => undefined }, // the team's own dependency",
    '];',
  ].join('\n'),
};
/** The template's edit of the same file, in another hunk: its first comment line. */
const TEMPLATE_LINE = {
  from: 'What must work before this instance takes traffic',
  to: 'What must work (bench: template revision 2) before this instance takes traffic',
};

type TemplateRevisionModule = typeof import('../generators/src/utils/template-revision');
type MergeFileModule = typeof import('../generators/src/upgrade/lib/merge-file');
type RenderModule = typeof import('@musiccorp/core/render');
type DriftModule = typeof import('../generators/src/drift/drift');
type OutdatedReport = import('../generators/src/outdated/outdated').OutdatedReport;

interface Modules {
  revisions: TemplateRevisionModule;
  mergeFile: MergeFileModule;
  render: RenderModule;
  drift: DriftModule;
}

/** The scratch copy's own modules, so the floor runs the code its `nx g` runs (CommonJS here: see README Notes). */
async function loadModules(root: string): Promise<Modules> {
  const [revisions, mergeFile, render, drift] = await Promise.all([
    import(join(root, 'generators', 'src', 'utils', 'template-revision.ts')) as Promise<TemplateRevisionModule>,
    import(join(root, 'generators', 'src', 'upgrade', 'lib', 'merge-file.ts')) as Promise<MergeFileModule>,
    import(join(root, 'tools', 'core', 'src', 'render.ts')) as Promise<RenderModule>,
    import(join(root, 'generators', 'src', 'drift', 'drift.ts')) as Promise<DriftModule>,
  ]);
  return { revisions, mergeFile, render, drift };
}

const execFileAsync = promisify(execFile);
const git = async (root: string, ...args: string[]) => (await execFileAsync('git', args, { cwd: root })).stdout.trim();

async function replaceIn(file: string, edit: { from: string; to: string }): Promise<void> {
  const text = await readFile(file, 'utf8');
  if (!text.includes(edit.from))
    throw new Error(`${file} no longer contains "${edit.from}": update the benchmark's edit to the file as it is now.`);
  await writeFile(file, text.replace(edit.from, edit.to));
}

/**
 * The floor: both template revisions extracted and rendered once (the answers of the first service: the two files
 * are copied, not rendered, so every service's render of them is the same), then one `git merge-file` per service
 * for each team-owned file the template changed. Returns each service's merged files (folder-relative path → content).
 */
async function floor(
  root: string,
  modules: Modules,
  range: { from: string; to: string },
  names: readonly string[],
): Promise<Map<string, Map<string, Buffer>>> {
  const revisions = new modules.revisions.TemplateRevisions(root);
  const merger = new modules.mergeFile.GitMergeFile();
  try {
    const [first = ''] = names;
    const provenance = JSON.parse(
      await readFile(join(root, 'services', first, 'template-provenance.json'), 'utf8'),
    ) as import('@musiccorp/core/provenance').Provenance;
    const answers = { ...provenance.answers, platformVersion: provenance.platformVersion };
    const old = modules.render.renderTemplate('service', answers, revisions.at(range.from));
    const next = modules.render.renderTemplate('service', answers, revisions.at(range.to));
    const { teamOwned } = modules.render.readManifest('service', revisions.at(range.to));
    const oldByPath = new Map(old.map((file) => [file.path, file.content]));
    const changed = next.flatMap((file) => {
      const base = oldByPath.get(file.path);
      return base && !base.equals(file.content) && modules.drift.isTeamOwned(file.path, teamOwned)
        ? [{ path: file.path, base, theirs: file.content }]
        : [];
    });
    const labels = { ours: 'yours', base: `template ${range.from}`, theirs: `template ${range.to}` };
    const merged = new Map<string, Map<string, Buffer>>();
    for (const name of names) {
      const files = new Map<string, Buffer>();
      for (const { path, base, theirs } of changed) {
        const ours = await readFile(join(root, 'services', name, path));
        const result = merger.merge(base, ours, theirs, labels);
        if (result.conflicts > 0) throw new Error(`floor: services/${name}/${path} does not merge cleanly.`);
        files.set(path, result.content);
      }
      merged.set(name, files);
    }
    return merged;
  } finally {
    merger.dispose();
    revisions.dispose();
  }
}

/** Every service holds the new chassis file, the floor's merge of each team-owned file, and the new commit. */
async function checkUpgraded(
  root: string,
  names: readonly string[],
  chassis: Buffer,
  merged: ReadonlyMap<string, ReadonlyMap<string, Buffer>>,
  to: string,
): Promise<void> {
  for (const name of names) {
    const folder = join(root, 'services', name);
    if (!(await readFile(join(folder, CHASSIS_FILE))).equals(chassis))
      throw new Error(`upgrade: services/${name}/${CHASSIS_FILE} is not the new template's.`);
    for (const [path, content] of merged.get(name) ?? [])
      if (!(await readFile(join(folder, path))).equals(content))
        throw new Error(`upgrade: services/${name}/${path} is not git merge-file's result.`);
    const provenance = JSON.parse(await readFile(join(folder, 'template-provenance.json'), 'utf8')) as {
      platformCommit: string;
    };
    if (provenance.platformCommit !== to)
      throw new Error(`upgrade: services/${name} records ${provenance.platformCommit}, not ${to}.`);
  }
}

function checkOutdated(stdout: string, names: readonly string[], to: string): void {
  const report = JSON.parse(stdout) as OutdatedReport;
  const wrong = report.services.filter(
    (status) =>
      !('behind' in status) ||
      status.behind !== 1 ||
      !status.drift.clean ||
      !('platformFiles' in status.upgrade) ||
      !status.upgrade.platformFiles.some((file) => file.path === CHASSIS_FILE),
  );
  if (report.head !== to || report.services.length !== names.length || wrong.length > 0)
    throw new Error(
      `outdated listed ${report.services.length} services at ${report.head.slice(0, 7)} (expected ${names.length} at ${to.slice(0, 7)}, each 1 behind, clean, ${CHASSIS_FILE} to change); wrong: ${JSON.stringify(wrong.slice(0, 2))}`,
    );
}

async function main(): Promise<void> {
  const flags = parseFlags('npm run bench:upgrade --', {
    services: countFlag(300, 'services to generate'),
    runs: countFlag(3, 'timed runs of each (upgrade, floor, outdated)'),
    out: resultsFileFlag('upgrade'),
    'quiet-wait': quietWaitFlag(30),
  });
  const env = await environment();
  const { createScratchWorkspace } = await loadTools();
  log('creating the scratch workspace…');
  const ws = await createScratchWorkspace('musiccorp-bench-upgrade-');
  try {
    const committed = await readdir(join(ws.root, 'services'));
    for (const name of committed) await rm(join(ws.root, 'services', name), { recursive: true, force: true });
    log(`generating ${flags.services} services in-process, each with a team edit of ${TEAM_FILE}…`);
    const generated = await generateServices(ws, flags.services, (tree, name) => {
      const path = `services/${name}/${TEAM_FILE}`;
      const text = tree.read(path, 'utf-8') ?? '';
      if (!text.includes(TEAM_LINE.from)) throw new Error(`${path} has no "${TEAM_LINE.from}" line to edit.`);
      tree.write(path, text.replace(TEAM_LINE.from, TEAM_LINE.to));
    });
    const { names } = generated;
    log(`generated ${names.length} services (${generated.files} files) in ${(generated.ms / 1000).toFixed(1)} s`);
    const from = await ws.commit(`bench: ${names.length} services (the committed ${committed.length} removed)`);
    const templates = join(ws.root, 'templates', 'service');
    await writeFile(
      join(templates, CHASSIS_FILE),
      `// bench: template revision 2\n${await readFile(join(templates, CHASSIS_FILE), 'utf8')}`,
    );
    await replaceIn(join(templates, TEAM_FILE), TEMPLATE_LINE);
    const to = await ws.commit(`bench: templates/service changes ${CHASSIS_FILE} and ${TEAM_FILE}`);
    const chassis = await readFile(join(templates, CHASSIS_FILE));
    const modules = await loadModules(ws.root);

    const reset = async () => {
      await git(ws.root, 'reset', '-q', '--hard', to);
      await git(ws.root, 'clean', '-fdq', '--', 'services');
    };
    const upgrade = async () => {
      const { stdout } = await ws.run(
        'npx',
        ['nx', 'g', '@musiccorp/generators:upgrade', '--all', '--no-interactive'],
        {
          env: GUARD_ENV,
        },
      );
      const summary = `Upgraded ${names.length} service${names.length === 1 ? '' : 's'}, 0 already up to date, 0 refused.`;
      if (!stdout.includes(summary))
        throw new Error(`upgrade --all did not print "${summary}":\n${stdout.split('\n').slice(-20).join('\n')}`);
    };
    const outdated = () => ws.run('npm', ['run', '-s', 'outdated', '--', '--json'], { env: GUARD_ENV });

    // Warm-up (untimed): the first `nx g` builds the plugin's bundle and Nx's workspace data; git's and the OS's
    // caches fill for all three.
    log('warm-up: upgrade --all, floor, outdated…');
    const merged = await floor(ws.root, modules, { from, to }, names);
    checkOutdated((await outdated()).stdout, names, to);
    await upgrade();
    await checkUpgraded(ws.root, names, chassis, merged, to);
    await reset();

    const upgradeMs: number[] = [];
    const floorMs: number[] = [];
    const outdatedMs: number[] = [];
    const busy: number[] = [];
    const wait = async () => {
      busy.push(await untilQuiet(flags['quiet-wait']));
    };
    for (let round = 1; round <= flags.runs; round++) {
      await wait();
      const u = await timed(upgrade);
      upgradeMs.push(u.ms);
      await checkUpgraded(ws.root, names, chassis, merged, to);
      await reset();
      await wait();
      const f = await timed(() => floor(ws.root, modules, { from, to }, names));
      floorMs.push(f.ms);
      await wait();
      const o = await timed(outdated);
      checkOutdated(o.value.stdout, names, to);
      outdatedMs.push(o.ms);
      log(
        `round ${round}/${flags.runs}: upgrade --all ${u.ms.toFixed(0)} ms, floor ${f.ms.toFixed(0)} ms, outdated ${o.ms.toFixed(0)} ms`,
      );
    }

    const perService = (ms: number) => ms / names.length;
    const rows: Row[] = [
      {
        metric: 'upgrade --all, median',
        unit: 'ms',
        ours: median(upgradeMs),
        anchor: median(floorMs),
        target: { on: 'ours', op: '<=', value: TARGET_UPGRADE_MS, label: `≤ ${TARGET_UPGRADE_MS / 1000} s` },
      },
      {
        metric: 'upgrade --all vs the floor, median',
        unit: 'ms',
        ours: median(upgradeMs),
        anchor: median(floorMs),
        target: { on: 'ratio', op: '<=', value: TARGET_RATIO, label: `≤ ${TARGET_RATIO} ×` },
      },
      { metric: 'upgrade --all, min', unit: 'ms', ours: min(upgradeMs), anchor: min(floorMs) },
      {
        metric: 'per service, median',
        unit: 'ms',
        ours: perService(median(upgradeMs)),
        anchor: perService(median(floorMs)),
        digits: 1,
      },
      {
        metric: 'npm run outdated, median',
        unit: 'ms',
        ours: median(outdatedMs),
        anchor: null,
        target: { on: 'ours', op: '<=', value: TARGET_OUTDATED_MS, label: `≤ ${TARGET_OUTDATED_MS} ms` },
      },
      { metric: 'npm run outdated, min', unit: 'ms', ours: min(outdatedMs), anchor: null },
      {
        metric: 'correct runs (every service upgraded as merged, outdated exact)',
        unit: '%',
        ours: 100,
        anchor: 100,
        target: { on: 'ours', op: '>=', value: 100, label: '100 %' },
      },
    ];
    const busyRuns = busy.filter((b) => b >= QUIET_CORES).length;
    const samples = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
    await saveResult({
      benchmark: 'upgrade',
      file: flags.out,
      title: `Upgrade: nx g upgrade --all vs the floor, ${names.length} generated services`,
      ours: '`npx nx g @musiccorp/generators:upgrade --all` (NX_DAEMON=false); `npm run -s outdated -- --json`',
      anchor:
        'in-process: templates/ at both commits extracted and rendered once, `git merge-file` per service for each team-owned file the template changed',
      anchorName: 'floor',
      env,
      config: {
        services: names.length,
        runs: flags.runs,
        interleaved: true,
        NX_DAEMON: false,
        quietWait: flags['quiet-wait'],
      },
      rows: rows.map(evaluate),
      notes: [
        `${names.length} services generated by serviceGenerator in-process (${generated.files} files, ${(generated.ms / 1000).toFixed(1)} s), each with a team edit at the end of ${TEAM_FILE}, committed (${from.slice(0, 7)}); then templates/service changed ${CHASSIS_FILE} (platform-owned: replaced) and the first comment line of ${TEAM_FILE} (team-owned: a clean 3-way merge in every service), committed (${to.slice(0, 7)}).`,
        `After every upgrade each service held the new ${CHASSIS_FILE}, the floor's merge of ${TEAM_FILE} and ${to.slice(0, 7)} in its provenance; then \`git reset --hard\` and \`git clean\` of services/ (untimed). Nx's workspace data is warm (a warm-up upgrade ran first), as for a developer's second command.`,
        `outdated ran on the commit before each upgrade: all ${names.length} services 1 template commit behind, drift-clean, ${CHASSIS_FILE} among the files an upgrade changes.`,
        busyRuns === 0
          ? `Every timed run started on a quiet machine (other processes < ${QUIET_CORES} core in the second before).`
          : `WARNING: ${busyRuns} of ${busy.length} timed runs started while other processes used ≥ ${QUIET_CORES} core; those times are inflated.`,
        `Load average (1 m): ${env.loadAverage1m} at start, ${loadAverage1m().toFixed(2)} at end (2 cores, shared).`,
        `All samples (ms) — upgrade: ${samples(upgradeMs)}; floor: ${samples(floorMs)}; outdated: ${samples(outdatedMs)}.`,
      ],
      raw: {
        samples: { upgrade: upgradeMs, floor: floorMs, outdated: outdatedMs },
        summary: { upgrade: summarize(upgradeMs), floor: summarize(floorMs), outdated: summarize(outdatedMs) },
        busyCoresBefore: busy,
        commits: { from, to },
        generation: { ms: generated.ms, files: generated.files },
      },
    });
  } finally {
    await ws.dispose();
  }
}

if (require.main === module) runBenchmark('upgrade', main);
