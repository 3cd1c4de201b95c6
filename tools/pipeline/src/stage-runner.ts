/**
 * What every stage after `artifact` shares: read the artifact record, make sure the store holds that image, run the
 * stage, record what it used in last-run.json, and fail when it failed or when any stage of the run used another
 * digest than the artifact's.
 */
import { existsSync } from 'node:fs';
import { openArtifactStore, type ArtifactStore } from '@musiccorp/artifact/store';
import { artifactRecordPath, readArtifactRecord, type ArtifactRecord } from '@musiccorp/artifact/build-artifact';
import { readPipelineFile, type PipelineFile } from './pipeline-file';
import {
  continueRun,
  digestMismatches,
  lastRunPath,
  readLastRun,
  recordStage,
  writeLastRun,
  type ContractRecord,
  type StageStatus,
} from './run-record';

export interface StageContext {
  workspaceRoot: string;
  service: string;
  artifact: ArtifactRecord;
  pipeline: PipelineFile;
  store: ArtifactStore;
}

/** One record of the stage (a deploy has one per environment). */
export interface StageOutcome {
  name: string;
  /** The digest of the image the stage really used; null if it failed before it had one. */
  digest: string | null;
  failures: string[];
  /** The environment waits for a person's approval: not a failure, the run stops there. */
  awaitingApproval?: boolean;
  /** Default: the whole stage's time. */
  durationMs?: number;
  contract?: ContractRecord;
}

export interface StageOptions {
  workspaceRoot: string;
  service: string;
  stage: 'slow-test' | 'perf' | 'deploy';
}

/** Runs the stage body and returns the process exit code. */
export async function runRecordedStage(
  options: StageOptions,
  body: (context: StageContext) => Promise<StageOutcome[]>,
): Promise<number> {
  const { workspaceRoot, service, stage } = options;
  const started = performance.now();
  let artifact: ArtifactRecord;
  let run;
  try {
    artifact = await readRecordOrExplain(workspaceRoot, service);
    run = continueRun(await readLastRun(workspaceRoot, service), artifact, stage === 'slow-test');
  } catch (error) {
    console.error(`${stage}: ${(error as Error).message}`);
    return 1;
  }

  let outcomes: StageOutcome[];
  try {
    const store = openArtifactStore({ workspaceRoot });
    await requireStored(store, artifact);
    const pipeline = await readPipelineFile(workspaceRoot, service);
    outcomes = await body({ workspaceRoot, service, artifact, pipeline, store });
  } catch (error) {
    outcomes = [{ name: stage, digest: null, failures: [(error as Error).message] }];
  }

  const durationMs = Math.round(performance.now() - started);
  for (const outcome of outcomes) {
    const status: StageStatus = outcome.failures.length
      ? 'failed'
      : outcome.awaitingApproval
        ? 'awaiting-approval'
        : 'passed';
    const detail = outcome.failures.join('; ');
    run = recordStage(run, {
      name: outcome.name,
      status,
      durationMs: Math.round(outcome.durationMs ?? durationMs),
      digest: outcome.digest,
      ...(detail ? { detail } : {}),
      ...(outcome.contract ? { contract: outcome.contract } : {}),
    });
  }
  await writeLastRun(workspaceRoot, run);

  const failures = outcomes.flatMap((outcome) => outcome.failures.map((failure) => `${outcome.name}: ${failure}`));
  const mismatches = digestMismatches(run);
  for (const line of [...failures, ...mismatches]) console.error(`✖ ${line}`);
  if (mismatches.length)
    console.error(`${stage}: the run used more than one image: it is not one artifact tested and deployed.`);
  console.log(
    `${stage}: ${failures.length || mismatches.length ? 'FAILED' : 'passed'} — recorded in ${lastRunPath('.', service)}`,
  );
  return failures.length || mismatches.length ? 1 : 0;
}

async function readRecordOrExplain(workspaceRoot: string, service: string): Promise<ArtifactRecord> {
  if (!existsSync(artifactRecordPath(workspaceRoot, service)))
    throw new Error(
      `dist/artifacts/${service}/artifact.json does not exist: run the artifact stage first (npx nx run ${service}:artifact).`,
    );
  return readArtifactRecord(workspaceRoot, service);
}

/**
 * The record can come from the Nx cache (built on an earlier run, another machine, or before .artifacts/ was cleaned)
 * while this machine's store never got the image: say so, and how to build and publish it again.
 */
async function requireStored(store: ArtifactStore, artifact: ArtifactRecord): Promise<void> {
  if (await store.has(artifact.digest, { service: artifact.service })) return;
  throw new Error(
    `${artifact.image} (built from git ${artifact.gitSha.slice(0, 12)}) is not in the ${store.describe()}. ` +
      `Its record dist/artifacts/${artifact.service}/artifact.json was probably restored from the Nx cache on a machine ` +
      `whose store never held the image. Build and publish it again: npx nx run ${artifact.service}:artifact --skip-nx-cache`,
  );
}
