/**
 * `dist/pipeline/<service>/last-run.json`: what each stage after `artifact` did, and WHICH image it used.
 *
 *   { "service", "gitSha", "digest", "stages": [{ "name", "status", "durationMs", "digest", "detail"?, "contract"? }] }
 *
 * `gitSha` and `digest` are the artifact's (gitSha: the commit that BUILT it, which after an Nx cache hit can be older
 * than the checked-out one). A run starts at `slow-test`, the first stage to use the artifact; later stages append.
 * Every stage must have used the run's digest — one artifact, tested and deployed — or the run fails.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@musiccorp/artifact/oci';

export type StageStatus = 'passed' | 'failed' | 'awaiting-approval';

export interface StageRecord {
  /** `slow-test`, `perf`, or `deploy:<environment>`. */
  name: string;
  status: StageStatus;
  durationMs: number;
  /** The image the stage really ran or deployed; null when it failed before it got one. */
  digest: string | null;
  /** Why it failed, or what it is waiting for. */
  detail?: string;
  /** slow-test: the contract its responses were checked against, and each response checked. */
  contract?: ContractRecord;
}

export interface ContractRecord {
  /** `services/<name>/contract/openapi.json`. */
  file: string;
  /** Of the file's bytes; null when it could not be read (then no response was checked, and the stage failed). */
  sha256: string | null;
  /** In the order sent; `operation` is the contract's (`GET /items/{id}`), or the request's when it has none. */
  responses: { operation: string; status: number; ok: boolean }[];
}

export interface LastRun {
  service: string;
  gitSha: string;
  digest: string;
  stages: StageRecord[];
}

export function lastRunPath(workspaceRoot: string, service: string): string {
  return join(workspaceRoot, 'dist', 'pipeline', service, 'last-run.json');
}

export function startRun(artifact: { service: string; gitSha: string; digest: string }): LastRun {
  return { service: artifact.service, gitSha: artifact.gitSha, digest: artifact.digest, stages: [] };
}

/** The run with this stage's record added (a stage run again replaces its earlier record). */
export function recordStage(run: LastRun, stage: StageRecord): LastRun {
  return { ...run, stages: [...run.stages.filter((s) => s.name !== stage.name), stage] };
}

/** One line per stage that used another image than the run's artifact. */
export function digestMismatches(run: LastRun): string[] {
  return run.stages
    .filter((stage) => stage.digest !== null && stage.digest !== run.digest)
    .map((stage) => `${stage.name} used ${stage.digest}, but the run's artifact is ${run.digest}`);
}

/**
 * The run this stage belongs to: a new one for the first stage, else the recorded one — which must be of the SAME
 * artifact (an artifact.json that changed mid-run means the earlier stages tested another image).
 */
export function continueRun(
  recorded: LastRun | undefined,
  artifact: { service: string; gitSha: string; digest: string },
  startsRun: boolean,
): LastRun {
  if (startsRun || !recorded) return startRun(artifact);
  if (recorded.digest !== artifact.digest) {
    throw new Error(
      `dist/artifacts/${artifact.service}/artifact.json names ${artifact.digest}, but this run's earlier stages ` +
        `(${recorded.stages.map((s) => s.name).join(', ') || 'none'}) used ${recorded.digest}: the artifact changed ` +
        `mid-run. Run the whole chain again (npx nx run ${artifact.service}:deploy) so every stage uses one artifact.`,
    );
  }
  return recorded;
}

export async function readLastRun(workspaceRoot: string, service: string): Promise<LastRun | undefined> {
  const path = lastRunPath(workspaceRoot, service);
  if (!existsSync(path)) return undefined;
  return JSON.parse(await readFile(path, 'utf8')) as LastRun;
}

export async function writeLastRun(workspaceRoot: string, run: LastRun): Promise<void> {
  const path = lastRunPath(workspaceRoot, run.service);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(run, null, 2)}\n`);
}
