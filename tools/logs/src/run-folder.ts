/**
 * Where the logs of a local run live: `.musiccorp/runs/<run-id>/<service>.log` under the workspace root, each file the
 * raw JSON lines of one service as it wrote them (`npm run dev` writes them; `.musiccorp/` is git-ignored). A run id
 * is the run's start time, so ids sort by time and the latest run is the greatest id.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '@musiccorp/core/cli';

export const RUNS_FOLDER = join('.musiccorp', 'runs');
/** The `--run` value that means the newest run. */
export const LATEST = 'latest';
/** `2026-12-02T13-05-09.123Z`: ISO 8601 in UTC with `-` for `:` (a file name on every system). */
const RUN_ID = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/;
const LOG_FILE = /\.log$/;

/**
 * The workspace whose runs are read: the nearest folder from `cwd` up that has an `nx.json` (npm runs scripts in the
 * root; a CLI started from a subfolder finds it too), else `cwd`.
 */
export function workspaceRootOf(cwd: string = process.cwd()): string {
  for (let folder = resolve(cwd); ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'nx.json'))) return folder;
    if (dirname(folder) === folder) return resolve(cwd);
  }
}

export function runsFolder(root: string): string {
  return join(root, RUNS_FOLDER);
}

/** The id of a run started at `start`. */
export function newRunId(start: Date = new Date()): string {
  return start.toISOString().replaceAll(':', '-');
}

export function runFolder(root: string, runId: string): string {
  return join(runsFolder(root), runId);
}

/** The file a run keeps `service`'s lines in. */
export function serviceLogFile(runDir: string, service: string): string {
  return join(runDir, `${service}.log`);
}

/** The service whose lines a run's file holds (`catalog.log` → catalog). */
export function serviceOfLogFile(file: string): string {
  return (file.split(/[/\\]/).at(-1) ?? file).replace(LOG_FILE, '');
}

/** The runs under `root`, oldest first. */
export function listRuns(root: string): string[] {
  const folder = runsFolder(root);
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && RUN_ID.test(entry.name))
    .map((entry) => entry.name)
    .sort();
}

export function latestRun(root: string): string | undefined {
  return listRuns(root).at(-1);
}

/**
 * The folder of a run named by `--run`: `latest`, a run id, or the path of a folder (a run copied from elsewhere, a
 * CI artifact). A UsageError names what exists when it matches none.
 */
export function resolveRun(root: string, run: string = LATEST): string {
  if (run === LATEST) {
    const latest = latestRun(root);
    if (latest === undefined) {
      throw new UsageError(
        `no run under ${runsFolder(root)}: start one with \`npm run dev\`, or pass log files (or pipe them in).`,
      );
    }
    return runFolder(root, latest);
  }
  if (RUN_ID.test(run) && existsSync(runFolder(root, run))) return runFolder(root, run);
  const path = isAbsolute(run) ? run : resolve(run);
  if (existsSync(path) && statSync(path).isDirectory()) return path;
  const runs = listRuns(root);
  const known = runs.length > 0 ? `the latest runs: ${runs.slice(-5).reverse().join(', ')}` : 'no run yet';
  throw new UsageError(`--run=${run} is neither a run under ${runsFolder(root)} nor a folder (${known}).`);
}

/** A run's (or any folder's) `*.log` files, by name. */
export function logFilesIn(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && LOG_FILE.test(entry.name))
    .map((entry) => join(folder, entry.name))
    .sort();
}
