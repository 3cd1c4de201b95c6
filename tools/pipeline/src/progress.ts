/**
 * The state of every service's pipeline while Nx runs it, and the final table. Live, it follows Nx's task starts
 * (the current stage of a service is the latest stage one of its tasks started in); at the end, Nx's own run record
 * (`.nx/cache/run.json`: per task status, cache hit, start and end) and each service's last-run.json say how every
 * stage ended, how long it took and which digest it used.
 */
import { formatDuration } from '@musiccorp/core/format-duration';
import { STAGE_TARGETS, STAGES, stageOfTarget, type StageName } from './pipeline-file';
import type { LastRun } from './run-record';

export type CellStatus = 'running' | 'passed' | 'cached' | 'failed' | 'skipped' | 'awaiting-approval';

export interface StageCell {
  status: CellStatus;
  durationMs?: number;
  /** Shown after the status, e.g. the environments a deploy reached. */
  note?: string;
}

export interface ServiceProgress {
  service: string;
  team: string;
  /** The stages this run takes the service through, e.g. all five, or just `test` for a test-only change. */
  stages: StageName[];
  cells: Partial<Record<StageName, StageCell>>;
  /** The stage it is in, for the live view. */
  current?: StageName;
  startedAt?: number;
  digest?: string;
}

/** One task as Nx recorded it in `.nx/cache/run.json`. */
export interface NxTaskRecord {
  projectName: string;
  target: string;
  startTime: string;
  endTime: string;
  cacheStatus: 'cache-miss' | 'local-cache-hit' | 'remote-cache-hit';
  status: number;
}

export function newProgress(service: string, team: string, stages: StageName[]): ServiceProgress {
  return { service, team, stages, cells: {} };
}

/**
 * A task of the service started at `now`. Only a stage's own target (`artifact`, `slow-test`, …) moves the service on
 * to that stage — Nx starts it once every earlier stage is done — while `build` may start alongside the fast tests.
 */
export function taskStarted(progress: ServiceProgress, target: string, cached: boolean, now: number): void {
  const stage = stageOfTarget(target);
  if (!stage || !progress.stages.includes(stage)) return;
  progress.startedAt ??= now;
  if (target === stage) {
    for (const earlier of STAGES.slice(0, STAGES.indexOf(stage))) {
      const cell = progress.cells[earlier];
      if (cell?.status === 'running') cell.status = 'passed';
    }
    progress.current = stage;
  }
  progress.current ??= STAGES[0];
  const cell = progress.cells[stage];
  if (!cell) progress.cells[stage] = { status: cached ? 'cached' : 'running' };
  else if (!cached && cell.status === 'cached') cell.status = 'running';
}

export function taskFailed(progress: ServiceProgress, target: string): void {
  const stage = stageOfTarget(target);
  if (stage && progress.stages.includes(stage)) progress.cells[stage] = { status: 'failed' };
}

/**
 * How each planned stage ended, from Nx's task records of this run: failed if a task failed, cached if every task
 * was restored, not run if its own target never ran (a dependency failed).
 */
export function settleFromNx(progress: ServiceProgress, tasks: NxTaskRecord[]): void {
  for (const stage of progress.stages) {
    const own = tasks.filter((t) => t.projectName === progress.service && STAGE_TARGETS[stage].includes(t.target));
    const gateMissing = stage !== 'test' && !own.some((t) => t.target === stage);
    if (own.length === 0 || (gateMissing && own.every((t) => t.status === 0))) {
      progress.cells[stage] = { status: 'skipped' };
      continue;
    }
    const status: CellStatus = own.some((t) => t.status !== 0)
      ? 'failed'
      : own.every((t) => t.cacheStatus !== 'cache-miss')
        ? 'cached'
        : 'passed';
    progress.cells[stage] = { status, durationMs: busyTime(own) };
  }
}

/**
 * How long at least one of the tasks was running: `build` starts beside the fast tests, long before `artifact`, and
 * the wait in between is not the artifact stage's time.
 */
function busyTime(tasks: NxTaskRecord[]): number {
  const spans = tasks.map((t) => [Date.parse(t.startTime), Date.parse(t.endTime)] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [from, to] = spans[0] ?? [0, 0];
  for (const [start, end] of spans) {
    if (start > to) {
      total += to - from;
      from = start;
    }
    to = Math.max(to, end);
  }
  return total + (to - from);
}

/** Without Nx's record: whatever started and did not fail passed, whatever never started was skipped. */
export function settleFromLiveState(progress: ServiceProgress): void {
  for (const stage of progress.stages) {
    const cell = progress.cells[stage];
    if (!cell) progress.cells[stage] = { status: 'skipped' };
    else if (cell.status === 'running') cell.status = 'passed';
  }
}

/** Adds what the stages recorded: the digest, and which environments the deploy reached or waits for. */
export function applyLastRun(progress: ServiceProgress, run: LastRun | undefined): void {
  if (!run) return;
  progress.digest = run.digest;
  const deploys = run.stages.filter((stage) => stage.name.startsWith('deploy:'));
  const deploy = progress.cells.deploy;
  if (!deploy || deploys.length === 0) return;
  const env = (name: string) => name.slice('deploy:'.length);
  const reached = deploys.filter((s) => s.status === 'passed').map((s) => env(s.name));
  const waiting = deploys.find((s) => s.status === 'awaiting-approval');
  deploy.note = [reached.join(','), waiting ? `${env(waiting.name)} awaits approval` : ''].filter(Boolean).join('; ');
  if (waiting && deploy.status === 'passed') deploy.status = 'awaiting-approval';
}

/**
 * The perf cell shows what the load measured (req/s, p99), from the figures of this run's image: the perf target is
 * never cached, so figures for another digest are an earlier run's, and are not shown.
 */
export function applyPerfFigures(
  progress: ServiceProgress,
  figures: { digest: string; result: { requestsPerSec: number; latencyP99Ms: number } } | undefined,
): void {
  const perf = progress.cells.perf;
  if (!figures || !perf || figures.digest !== progress.digest || !['passed', 'failed'].includes(perf.status)) return;
  perf.note = `${Math.round(figures.result.requestsPerSec)} req/s, p99 ${figures.result.latencyP99Ms} ms`;
}

export function failed(progress: ServiceProgress): boolean {
  return Object.values(progress.cells).some((cell) => cell.status === 'failed' || cell.status === 'skipped');
}

const ICON: Record<CellStatus, string> = {
  running: '…',
  passed: '✔',
  cached: '✔',
  failed: '✖',
  skipped: '–',
  'awaiting-approval': '⏸',
};

function formatCell(cell: StageCell | undefined): string {
  if (!cell) return '';
  const what =
    cell.status === 'cached'
      ? 'cached'
      : cell.status === 'skipped'
        ? 'not run'
        : cell.durationMs === undefined
          ? ''
          : formatDuration(cell.durationMs);
  return [ICON[cell.status], what, cell.note ? `(${cell.note})` : ''].filter(Boolean).join(' ');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The live view: one line per service with its current stage and elapsed time. */
export function renderLive(services: ServiceProgress[], now: number): string[] {
  const rows = services.map((p) => {
    const stage = p.current;
    const marks = p.stages.map((s) => `${p.cells[s] ? ICON[p.cells[s].status] : '·'} ${s}`).join('  ');
    return [
      p.service,
      p.team,
      stage ? `${stage}${p.cells[stage]?.status === 'running' ? '…' : ''}` : 'waiting',
      p.startedAt ? formatDuration(now - p.startedAt) : '',
      marks,
    ];
  });
  return table(['SERVICE', 'TEAM', 'NOW', 'ELAPSED', 'STAGES'], rows);
}

/** The final table: each stage's status and time per service, and the digest the stages used. */
export function renderTable(services: ServiceProgress[]): string[] {
  const rows = services.map((p) => [
    p.service,
    p.team,
    ...STAGES.map((stage) => (p.stages.includes(stage) ? formatCell(p.cells[stage]) : '—')),
    p.digest ? p.digest.slice(0, 'sha256:'.length + 12) : '—',
  ]);
  return table(['SERVICE', 'TEAM', ...STAGES.map((s) => s.toUpperCase()), 'DIGEST'], rows);
}
