/**
 * The slow-test stage (Nx target `slow-test`, after `artifact`): start the STORED image and test it over HTTP from the
 * outside (http-checks.ts), each business-route response against the service's committed contract
 * (contract-checks.ts), then stop it with SIGTERM and check its logs. It starts the run's last-run.json, which lists
 * every response checked against the contract.
 */
import { checkLogs, checkOverHttp, type CheckResult } from '../http-checks';
import { ContractFileError, contractFile, readServiceContract } from '../contract-checks';
import { startArtifact } from '../run-artifact';
import { runRecordedStage } from '../stage-runner';

export function slowTestStage(workspaceRoot: string, service: string): Promise<number> {
  return runRecordedStage({ workspaceRoot, service, stage: 'slow-test' }, async ({ artifact, pipeline, store }) => {
    const contract = await readServiceContract(workspaceRoot, service).catch((error: unknown) => {
      if (error instanceof ContractFileError) return error;
      throw error;
    });
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
      const { results, probe, verdicts } = await checkOverHttp(app.url, {
        service,
        sample: pipeline.perf.target,
        contract,
      });
      const exitCode = await app.stop();
      const all: CheckResult[] = [...results, ...checkLogs(await app.logs(), probe, exitCode)];
      for (const result of all)
        console.log(`${result.ok ? '✔' : '✖'} ${result.name}${result.ok ? '' : ` — ${result.detail}`}`);
      const failures = all.filter((result) => !result.ok).map((result) => `${result.name}: ${result.detail}`);
      const responses = verdicts.map(({ operation, status, problems }) => ({
        operation,
        status,
        ok: !problems.length,
      }));
      const sha256 = contract instanceof ContractFileError ? null : contract.sha256;
      return [
        {
          name: 'slow-test',
          digest: app.digest,
          failures,
          contract: { file: contractFile(service), sha256, responses },
        },
      ];
    } finally {
      await app.dispose();
    }
  });
}
