import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  continueRun,
  digestMismatches,
  lastRunPath,
  readLastRun,
  recordStage,
  startRun,
  writeLastRun,
  type StageRecord,
} from './run-record';

const A = `sha256:${'a'.repeat(64)}`;
const B = `sha256:${'b'.repeat(64)}`;
const artifact = { service: 'catalog', gitSha: '0123456789abcdef0123456789abcdef01234567', digest: A };
const stage = (name: string, digest: string | null, status: StageRecord['status'] = 'passed'): StageRecord => ({
  name,
  status,
  durationMs: 10,
  digest,
});

describe('last-run records', () => {
  it('a run starts empty, with the artifact’s service, gitSha and digest', () => {
    expect(startRun(artifact)).toEqual({ ...artifact, stages: [] });
  });

  it('appends stages in order, and a stage run again replaces its earlier record', () => {
    let run = startRun(artifact);
    run = recordStage(run, stage('slow-test', A, 'failed'));
    run = recordStage(run, stage('perf', A));
    run = recordStage(run, stage('slow-test', A));
    expect(run.stages.map((s) => [s.name, s.status])).toEqual([
      ['perf', 'passed'],
      ['slow-test', 'passed'],
    ]);
  });

  it('finds every stage that used another digest than the run’s artifact', () => {
    let run = startRun(artifact);
    run = recordStage(run, stage('slow-test', A));
    run = recordStage(run, stage('perf', B));
    run = recordStage(run, stage('deploy:ci', null, 'failed')); // failed before it had an image: not a mismatch
    expect(digestMismatches(run)).toEqual([`perf used ${B}, but the run's artifact is ${A}`]);
  });

  it('the first stage starts a new run; later ones continue the recorded run of the same artifact', () => {
    const earlier = recordStage(startRun(artifact), stage('slow-test', A));
    expect(continueRun(earlier, artifact, true)).toEqual(startRun(artifact));
    expect(continueRun(earlier, artifact, false)).toBe(earlier);
    expect(continueRun(undefined, artifact, false)).toEqual(startRun(artifact)); // a stage run on its own
  });

  it('a later stage fails when artifact.json changed since the run began', () => {
    const earlier = recordStage(startRun({ ...artifact, digest: B }), stage('slow-test', B));
    expect(() => continueRun(earlier, artifact, false)).toThrow(
      /names sha256:a+, but this run's earlier stages \(slow-test\) used sha256:b+: the artifact changed mid-run\. Run the whole chain again \(npx nx run catalog:deploy\)/,
    );
  });

  describe('on disk', () => {
    let root: string;
    afterAll(async () => {
      if (root) await rm(root, { recursive: true, force: true });
    });

    it('writes dist/pipeline/<service>/last-run.json and reads it back', async () => {
      root = await mkdtemp(join(tmpdir(), 'musiccorp-last-run-'));
      expect(await readLastRun(root, 'catalog')).toBeUndefined();
      const run = recordStage(startRun(artifact), stage('slow-test', A));
      await writeLastRun(root, run);
      expect(lastRunPath(root, 'catalog')).toBe(join(root, 'dist', 'pipeline', 'catalog', 'last-run.json'));
      expect(await readLastRun(root, 'catalog')).toEqual(run);
    });
  });
});
