/**
 * The deploy stage (Nx target `deploy`, after `perf`): promote the artifact through the environments of the pipeline
 * file, in order, with the deploy CLI (tools/deploy/src/cli.ts: it verifies the stored artifact and renders
 * deploy/<env>/<service>/; it never builds). `--environment=<name>` deploys one environment only.
 *
 * Approval: the CLI's own — `--approve` here is passed on, and DEPLOY_APPROVED=<env>[,<env>] reaches it through the
 * environment. An environment that needs approval and has none (CLI exit code 3) is recorded as awaiting approval
 * and ends the stage without failing it. The digest each environment got is read back from the rendered manifests.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runRecordedStage, type StageOutcome } from '../stage-runner';

const APPROVAL_REQUIRED_EXIT_CODE = 3;

export interface DeployStageOptions {
  workspaceRoot: string;
  service: string;
  /** One environment; default: every environment of the pipeline file, in order. */
  environment?: string;
  approve?: boolean;
}

export function deployStage(options: DeployStageOptions): Promise<number> {
  const { workspaceRoot, service } = options;
  return runRecordedStage({ workspaceRoot, service, stage: 'deploy' }, async ({ artifact, pipeline }) => {
    const environments = pipeline.deploy.environments;
    if (options.environment && !environments.includes(options.environment))
      throw new Error(
        `--environment=${options.environment} is not an environment of services/${service}/pipeline.json (${environments.join(', ')}).`,
      );
    const outcomes: StageOutcome[] = [];
    for (const environment of options.environment ? [options.environment] : environments) {
      const started = performance.now();
      const name = `deploy:${environment}`;
      const cli = await execa(
        'node',
        [
          '--import',
          'tsx',
          'tools/deploy/src/cli.ts',
          service,
          `--env=${environment}`,
          ...(options.approve ? ['--approve'] : []),
        ],
        { cwd: workspaceRoot, reject: false, stdio: ['ignore', 'inherit', 'inherit'] },
      );
      const durationMs = performance.now() - started;
      if (cli.exitCode === APPROVAL_REQUIRED_EXIT_CODE) {
        outcomes.push({ name, digest: null, failures: [], awaitingApproval: true, durationMs });
        console.log(
          `${environment}: awaits approval (--approve or DEPLOY_APPROVED=${environment}); later environments not deployed.`,
        );
        break;
      }
      if (cli.exitCode !== 0) {
        outcomes.push({ name, digest: null, failures: [`the deploy CLI exited with ${cli.exitCode}`], durationMs });
        break;
      }
      const digests = await renderedDigests(workspaceRoot, environment, service);
      const failures =
        digests.length === 1
          ? []
          : [`deploy/${environment}/${service}/ names ${digests.length ? digests.join(', ') : 'no image by digest'}`];
      outcomes.push({ name, digest: digests[0] ?? null, failures, durationMs });
      if (failures.length) break;
    }
    console.log(
      `deployed ${artifact.image} to ${
        outcomes
          .filter((o) => o.digest && !o.failures.length)
          .map((o) => o.name.slice('deploy:'.length))
          .join(', ') || 'no environment'
      }`,
    );
    return outcomes;
  });
}

/** The distinct image digests (`…@sha256:…`) the rendered manifests of one environment reference. */
export async function renderedDigests(workspaceRoot: string, environment: string, service: string): Promise<string[]> {
  const dir = join(workspaceRoot, 'deploy', environment, service);
  const files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file));
  const found = new Set<string>();
  for (const file of files) {
    for (const [, digest = ''] of (await readFile(join(dir, file), 'utf8')).matchAll(/@(sha256:[0-9a-f]{64})/g))
      found.add(digest);
  }
  return [...found];
}
