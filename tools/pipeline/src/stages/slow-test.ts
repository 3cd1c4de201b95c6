/**
 * The slow-test stage (Nx target `slow-test`, after `artifact`): start the STORED image and test it over HTTP from the
 * outside (http-checks.ts), then stop it with SIGTERM and check its logs. It starts the run's last-run.json.
 */
import { checkLogs, checkOverHttp, type CheckResult } from '../http-checks';
import { startArtifact } from '../run-artifact';
import { runRecordedStage } from '../stage-runner';

export function slowTestStage(workspaceRoot: string, service: string): Promise<number> {
  return runRecordedStage({ workspaceRoot, service, stage: 'slow-test' }, async ({ artifact, pipeline, store }) => {
    const app = await startArtifact({
      workspaceRoot,
      artifact,
      store,
      stage: 'slow-test',
      env: pipeline.slowTest.env,
      readyPath: pipeline.slowTest.readyPath,
    });
    try {
      console.log(`running ${artifact.image} with ${app.runtime} at ${app.url}`);
      const { results, probe } = await checkOverHttp(app.url, { service, sample: pipeline.perf.target });
      const exitCode = await app.stop();
      const all: CheckResult[] = [...results, ...checkLogs(await app.logs(), probe, exitCode)];
      for (const result of all)
        console.log(`${result.ok ? '✔' : '✖'} ${result.name}${result.ok ? '' : ` — ${result.detail}`}`);
      const failures = all.filter((result) => !result.ok).map((result) => `${result.name}: ${result.detail}`);
      return [{ name: 'slow-test', digest: app.digest, failures }];
    } finally {
      await app.dispose();
    }
  });
}
