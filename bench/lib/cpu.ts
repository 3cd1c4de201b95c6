import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import type { FlagSpec } from './cli';
import { log } from './util';

/**
 * How much CPU other processes took while something was measured, from /proc. On a shared 2-core machine another
 * engineer's test run can halve a throughput figure; this makes such a run visible instead of silently wrong.
 */
export interface CpuSnapshot {
  /** Busy jiffies over all cores (everything but idle and iowait). */
  busy: number;
  /** utime + stime jiffies of each watched pid. */
  pids: Map<number, number>;
  at: number;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Below this many cores busy with other processes the machine counts as quiet enough to measure. */
export const QUIET_CORES = 0.3;

export async function cpuSnapshot(pids: readonly number[]): Promise<CpuSnapshot> {
  const stat = await readFile('/proc/stat', 'utf8');
  const [total = ''] = stat.split('\n'); // the first line: `cpu  user nice system idle iowait irq softirq steal …`
  const fields = total.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  const busy = user + nice + system + irq + softirq + steal;
  const times = new Map<number, number>();
  for (const pid of pids) times.set(pid, await processJiffies(pid));
  return { busy, pids: times, at: performance.now() };
}

async function processJiffies(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  // Fields after the command name (which may contain spaces) — utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11] ?? 0) + Number(rest[12] ?? 0);
}

export interface CpuUse {
  seconds: number;
  /** Cores busy on average over the window, per watched pid. */
  byPid: Record<number, number>;
  /** Cores busy on average with anything else (other processes, kernel). */
  others: number;
  /** Cores the machine has. */
  cores: number;
}

export function cpuUse(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const seconds = (after.at - before.at) / 1000;
  const cores = (jiffies: number) => jiffies / CLOCK_TICKS / seconds;
  const byPid: Record<number, number> = {};
  let watched = 0;
  for (const [pid, start] of before.pids) {
    const used = (after.pids.get(pid) ?? start) - start;
    watched += used;
    byPid[pid] = cores(used);
  }
  return { seconds, byPid, others: Math.max(0, cores(after.busy - before.busy - watched)), cores: cpus().length };
}

/** Cores busy machine-wide, averaged over `sampleMs`. */
export async function busyCores(sampleMs = 1000): Promise<number> {
  const before = await cpuSnapshot([]);
  await new Promise((resolve) => setTimeout(resolve, sampleMs));
  return cpuUse(before, await cpuSnapshot([])).others;
}

/**
 * Waits until the machine is quiet — fewer than `maxCores` cores busy over a 1 s sample — for at most `timeoutMs`.
 * Returns the last sample and whether it was quiet; the caller measures anyway and reports it when it was not.
 */
async function waitForQuiet(
  maxCores: number,
  timeoutMs: number,
  onWait?: (busy: number) => void,
): Promise<{ quiet: boolean; busy: number }> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const busy = await busyCores();
    if (busy < maxCores) return { quiet: true, busy };
    if (Date.now() >= deadline) return { quiet: false, busy };
    if (!announced) {
      onWait?.(busy);
      announced = true;
    }
  }
}

/** The `--quiet-wait` flag every benchmark takes: how long to wait for a quiet machine before `before`. */
export function quietWaitFlag(defaultSeconds: number, before = 'each run'): Extract<FlagSpec, { kind: 'number' }> {
  return {
    kind: 'number',
    default: defaultSeconds,
    min: 0,
    help: `seconds to wait before ${before} for other processes to use < ${QUIET_CORES} core (0: don't wait)`,
  };
}

/** Waits up to `seconds` for a quiet machine (saying so in the log when it must wait); returns the cores others used. */
export async function untilQuiet(seconds: number, before?: string): Promise<number> {
  const { busy } = await waitForQuiet(QUIET_CORES, seconds * 1000, (cores) =>
    log(
      `machine busy (${cores.toFixed(2)} cores used by others); waiting up to ${seconds} s${before ? ` before ${before}` : ''}…`,
    ),
  );
  return busy;
}
