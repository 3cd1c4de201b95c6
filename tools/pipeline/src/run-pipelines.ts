/**
 * Runs services' pipelines through Nx — `nx run-many -t <last stage> -p <services>`, the stages chained by dependsOn,
 * one service's failure not stopping the others (Nx's default, --nxBail=false) — with a live progress view, then the
 * final table. Nx's full output goes to dist/pipeline/nx-output.log; the tail of a failed service's output is shown.
 */
import { once } from 'node:events';
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { formatDuration } from '@musiccorp/core/format-duration';
import { NxOutputReader } from './nx-output';
import type { StageName } from './pipeline-file';
import {
  applyLastRun,
  applyPerfFigures,
  failed,
  newProgress,
  renderLive,
  renderTable,
  settleFromLiveState,
  settleFromNx,
  taskFailed,
  taskStarted,
  type NxTaskRecord,
  type ServiceProgress,
} from './progress';
import { lastRunPath, readLastRun } from './run-record';
import { readPerfFigures } from './stages/perf';

/** Services that run the same Nx targets: one `nx run-many`. */
export interface PipelineGroup {
  targets: string[];
  services: { name: string; team: string; stages: StageName[] }[];
}

export interface RunPipelinesOptions {
  workspaceRoot: string;
  groups: PipelineGroup[];
  /** Passed to every stage (e.g. DEPLOY_APPROVED, PERF_DURATION_SECONDS). */
  env?: Record<string, string>;
  /** Nx --parallel: 2 suits two cores (perf runs alone anyway: parallelism false). */
  parallel?: number;
  /** Print Nx's output as it comes instead of the progress view. */
  verbose?: boolean;
}

const TAIL_LINES = 15;
const REDRAW_MS = 500;

export async function runPipelines(
  options: RunPipelinesOptions,
): Promise<{ services: ServiceProgress[]; exitCode: number }> {
  const { workspaceRoot } = options;
  const logFile = join(workspaceRoot, 'dist', 'pipeline', 'nx-output.log');
  await mkdir(join(logFile, '..'), { recursive: true });
  await rm(logFile, { force: true });
  const all: ServiceProgress[] = [];
  let exitCode = 0;
  for (const group of options.groups) {
    const progress = group.services.map((s) => newProgress(s.name, s.team, s.stages));
    all.push(...progress);
    // A fresh run record for every pipeline that reaches the artifact's stages, so no stale result is reported.
    for (const s of group.services) {
      if (s.stages.includes('slow-test')) await rm(lastRunPath(workspaceRoot, s.name), { force: true });
    }
    const code = await runGroup(options, group, progress, all, logFile);
    if (code !== 0) exitCode = 1;
  }
  for (const p of all) {
    if (p.stages.includes('slow-test')) applyLastRun(p, await readLastRun(workspaceRoot, p.service));
    if (p.stages.includes('perf')) applyPerfFigures(p, await readPerfFigures(workspaceRoot, p.service));
  }
  console.log(`\n${renderTable(all).join('\n')}`);
  if (all.some(failed)) exitCode = 1;
  const waiting = all.filter((p) => p.cells.deploy?.status === 'awaiting-approval').map((p) => p.service);
  console.log(
    `\n${exitCode === 0 ? '✔ every pipeline passed' : '✖ a pipeline failed'}` +
      `${waiting.length ? ` (${waiting.join(', ')}: an environment awaits approval, --approve=<env>)` : ''}. ` +
      `Nx's output: ${join('dist', 'pipeline', 'nx-output.log')}; per service: dist/pipeline/<service>/last-run.json.`,
  );
  return { services: all, exitCode };
}

async function runGroup(
  options: RunPipelinesOptions,
  group: PipelineGroup,
  progress: ServiceProgress[],
  shown: ServiceProgress[],
  logFile: string,
): Promise<number> {
  const { workspaceRoot } = options;
  const args = [
    'run-many',
    '-t',
    ...group.targets,
    '-p',
    group.services.map((s) => s.name).join(','),
    `--parallel=${options.parallel ?? 2}`,
    '--output-style=stream',
  ];
  console.log(`\n$ nx ${args.join(' ')}`);
  const spawnedAt = Date.now();
  const nx = execa('nx', args, {
    cwd: workspaceRoot,
    preferLocal: true,
    localDir: workspaceRoot,
    reject: false,
    all: true,
    stdin: 'ignore',
    env: { ...options.env, NX_TUI: 'false' },
  });

  const byName = new Map(progress.map((p) => [p.service, p]));
  const tails = new Map<string, string[]>();
  const reader = new NxOutputReader();
  const view = liveView(shown, options.verbose ?? false);
  const lines = createInterface({ input: nx.all });
  const closed = once(lines, 'close'); // every line read, not just the process exited
  const logged: string[] = [];
  lines.on('line', (line) => {
    logged.push(line);
    if (options.verbose) console.log(line);
    for (const event of reader.read(line)) {
      const service = byName.get(event.project);
      if (!service) continue;
      if (event.kind === 'output') {
        const tail = tails.get(event.project) ?? [];
        tail.push(event.text);
        tails.set(event.project, tail.slice(-TAIL_LINES));
      } else if (event.kind === 'start') {
        taskStarted(service, event.target, event.cached, Date.now());
        view.changed(service, `${event.target} ${event.cached ? 'restored from the Nx cache' : 'started'}`);
      } else {
        taskFailed(service, event.target);
        view.changed(service, `${event.target} FAILED`);
      }
    }
  });
  const result = await nx;
  await closed;
  view.stop();
  await appendFile(logFile, `$ nx ${args.join(' ')}\n${logged.join('\n')}\n`);

  const tasks = await nxTaskRecords(workspaceRoot, args, spawnedAt);
  for (const p of progress) {
    if (tasks) settleFromNx(p, tasks);
    else settleFromLiveState(p);
  }
  if (!tasks) console.log("(Nx's run record is missing or from another run: stage times are not shown.)");
  for (const p of progress.filter(failed)) {
    console.log(`\n${p.service}: the last lines of its output (all of it: dist/pipeline/nx-output.log) —`);
    console.log((tails.get(p.service) ?? ['(none)']).map((line) => `  ${line}`).join('\n'));
  }
  return result.exitCode ?? 1;
}

/**
 * `.nx/cache/run.json`, Nx's record of its last run: per task status, cache hit, start and end — if it is this run's
 * (another Nx command in the workspace may have finished after it and written its own).
 */
async function nxTaskRecords(
  workspaceRoot: string,
  args: string[],
  since: number,
): Promise<NxTaskRecord[] | undefined> {
  const { cacheDir } = await import('nx/src/utils/cache-directory.js');
  try {
    const record = JSON.parse(await readFile(resolve(workspaceRoot, cacheDir, 'run.json'), 'utf8')) as {
      run: { command: string; startTime: string };
      tasks: NxTaskRecord[];
    };
    const ours = record.run.command.endsWith(args.join(' ')) && Date.parse(record.run.startTime) >= since;
    return ours ? record.tasks : undefined;
  } catch {
    return undefined;
  }
}

/** Redraws the live table on a terminal; elsewhere (CI logs) prints one line per stage change. */
function liveView(services: ServiceProgress[], verbose: boolean) {
  const started = Date.now();
  const tty = process.stdout.isTTY && !verbose;
  let drawn = 0;
  const draw = () => {
    // Cut to the terminal's width: a wrapped line would break the cursor-up redraw.
    const width = (process.stdout.columns || 120) - 1;
    const lines = renderLive(services, Date.now()).map((line) => line.slice(0, width));
    process.stdout.write(`${drawn ? `\x1b[${drawn}A\x1b[0J` : ''}${lines.join('\n')}\n`);
    drawn = lines.length;
  };
  const timer = tty ? setInterval(draw, REDRAW_MS) : undefined;
  if (tty) draw();
  return {
    changed(service: ServiceProgress, what: string) {
      if (tty || verbose) return;
      console.log(
        `[${formatDuration(Date.now() - started).padStart(6)}] ${service.service}: ${service.current} — ${what}`,
      );
    },
    stop() {
      if (timer) clearInterval(timer);
      if (tty) draw();
    },
  };
}
