/**
 * The perf stage (Nx target `perf`, after `slow-test`; Nx runs it alone, `parallelism: false`, so other tasks don't
 * skew it): start the STORED image, warm it up for a second, then load its sample request from the pipeline file
 * with autocannon on 127.0.0.1 for thresholds.durationSeconds (PERF_DURATION_SECONDS overrides it, e.g. in tests)
 * and fail below minRequestsPerSecond, above maxP99Ms or above maxErrorRate. Figures: dist/pipeline/<service>/perf.json.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { load, type LoadResult } from '../load';
import { startArtifact } from '../run-artifact';
import { runRecordedStage } from '../stage-runner';
import { evaluateThresholds, formatCheck } from '../thresholds';

const WARM_UP_SECONDS = 1;

/** What the perf stage measured, as it writes it to dist/pipeline/<service>/perf.json. */
export interface PerfFigures {
  digest: string;
  durationSeconds: number;
  result: LoadResult;
}

export const perfFiguresPath = (workspaceRoot: string, service: string) =>
  join(workspaceRoot, 'dist', 'pipeline', service, 'perf.json');

/** The figures of the service's last perf run, if it has one. */
export async function readPerfFigures(workspaceRoot: string, service: string): Promise<PerfFigures | undefined> {
  try {
    return JSON.parse(await readFile(perfFiguresPath(workspaceRoot, service), 'utf8')) as PerfFigures;
  } catch {
    return undefined;
  }
}

export function perfStage(workspaceRoot: string, service: string): Promise<number> {
  return runRecordedStage({ workspaceRoot, service, stage: 'perf' }, async ({ artifact, pipeline, store }) => {
    const { target, thresholds } = pipeline.perf;
    const override = Number(process.env['PERF_DURATION_SECONDS']);
    const durationSeconds = override > 0 ? override : thresholds.durationSeconds;
    const app = await startArtifact({
      workspaceRoot,
      artifact,
      store,
      stage: 'perf',
      env: pipeline.perf.env,
      readyPath: pipeline.slowTest.readyPath,
    });
    try {
      const url = `${app.url}${target.path}`;
      const request = { url, connections: thresholds.connections, method: target.method, body: target.body };
      console.log(
        `load: ${target.method} ${url}, ${thresholds.connections} connections, ${durationSeconds} s (after ${WARM_UP_SECONDS} s warm-up), ${app.runtime}`,
      );
      await load({ ...request, durationSeconds: WARM_UP_SECONDS }); // JIT and connection set-up, not measured
      const result = await load({ ...request, durationSeconds });
      const checks = evaluateThresholds(result, thresholds);
      for (const check of checks) console.log(formatCheck(check));
      const figures = perfFiguresPath(workspaceRoot, service);
      await mkdir(dirname(figures), { recursive: true });
      await writeFile(
        figures,
        `${JSON.stringify({ digest: app.digest, thresholds, durationSeconds, result, checks }, null, 2)}\n`,
      );
      const failures = checks.filter((check) => !check.ok).map(formatCheck);
      return [{ name: 'perf', digest: app.digest, failures }];
    } finally {
      await app.dispose();
    }
  });
}
