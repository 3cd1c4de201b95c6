/**
 * The `run:` steps of .github/workflows/service-pipeline.yml, executed here, job by job in stage order — the closest
 * thing to running the workflow that works without GitHub. `main(argv, out, err)` is its command; dry-run-cli.ts runs it.
 *
 * A scratch copy of the workspace stands in for the checkout, a local bare repository for `origin` (the deploy jobs
 * push the GitOps branch to it), and one directory for RUNNER_TEMP. Between jobs the scratch copy loses what a fresh
 * runner would not have (deploy/<env>/, dist/pipeline/) and keeps what the jobs hand over (dist/artifacts/ and the
 * OCI layout, as the workflow artifacts would). `${{ }}` expressions are resolved for the contexts the pipeline uses:
 * inputs (no registry, the local base image, deploy on), needs.*.outputs, steps.*.outputs, github.*; the container
 * storages are the scratch copy's own, as on a runner, and are removed with it. `uses:` steps are skipped, except the
 * local fetch-artifact action, whose `run:` steps run; so is the production step that asks GitHub's API about the
 * environment's reviewers. PERF_DURATION_SECONDS=5 keeps the load test short.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { CommandLine } from '@musiccorp/core/cli';
import { createScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { disposeWorkspaceStorages } from '../storage';

export const STAGE_JOBS = ['artifact', 'slow-tests', 'perf', 'deploy-ci', 'deploy-preprod', 'deploy-production'];

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, unknown>;
}
interface Job {
  env?: Record<string, unknown>;
  outputs?: Record<string, string>;
  steps: Step[];
}
type Outputs = Record<string, Record<string, string>>;

export interface DryRunResult {
  ok: boolean;
  /** Job outputs (e.g. artifact.digest). */
  outputs: Outputs;
  /** `git log` of the GitOps branch in the stand-in origin: `<subject>` lines, newest first. */
  gitops: string[];
  /** Files on the GitOps branch. */
  gitopsFiles: string[];
}

export async function dryRun(options: {
  service: string;
  jobs?: string[];
  log?: (line: string) => void;
}): Promise<DryRunResult> {
  const log = options.log ?? (() => undefined);
  const ws = await createScratchWorkspace('musiccorp-dry-run-');
  const origin = await mkdtemp(join(tmpdir(), 'musiccorp-dry-run-origin-'));
  const runnerTemp = await mkdtemp(join(tmpdir(), 'musiccorp-dry-run-runner-'));
  try {
    await execa('git', ['init', '-q', '--bare', origin]);
    await execa('git', ['remote', 'add', 'origin', origin], { cwd: ws.root });
    await execa('git', ['push', '-q', 'origin', 'HEAD:main'], { cwd: ws.root });
    const workflow = parse(await readFile(join(ws.root, '.github/workflows/service-pipeline.yml'), 'utf8')) as {
      env?: Record<string, unknown>;
      jobs: Record<string, Job>;
    };
    const fetchArtifact = parse(await readFile(join(ws.root, '.github/actions/fetch-artifact/action.yml'), 'utf8')) as {
      runs: { steps: Step[] };
    };
    const inputs: Record<string, string> = {
      service: options.service,
      'artifact-registry': '',
      'artifact-registry-tls-verify': 'true',
      'base-image': '', // the local Node base: no public registry here
      'gitops-branch': 'deploy',
      deploy: 'true',
    };
    const outputs: Outputs = {};

    const resolve = (text: string, steps: Outputs): string =>
      text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
        const [head, a, b, c] = expression.split('.');
        if (head === 'inputs' && a) return inputs[a] ?? '';
        if (head === 'needs' && a && b === 'outputs' && c) return outputs[a]?.[c] ?? '';
        if (head === 'steps' && a && b === 'outputs' && c) return steps[a]?.[c] ?? '';
        if (expression === 'github.server_url') return 'https://github.com';
        if (expression === 'github.repository') return 'musiccorp/platform';
        if (expression === 'github.token') return '';
        throw new Error(`dry run: no value for \${{ ${expression} }}`);
      });
    const resolveAll = (env: Record<string, unknown> | undefined, steps: Outputs) =>
      Object.fromEntries(Object.entries(env ?? {}).map(([key, value]) => [key, resolve(String(value), steps)]));

    const base = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(NX_|GITHUB_|RUNNER_|GIT_)/.test(key)),
    );
    for (const id of options.jobs ?? STAGE_JOBS) {
      const job = workflow.jobs[id];
      if (!job) throw new Error(`service-pipeline.yml has no job ${id}`);
      log(`\n=== ${id}`);
      await rm(join(ws.root, 'dist', 'pipeline'), { recursive: true, force: true });
      for (const env of ['ci', 'preprod', 'production'])
        await rm(join(ws.root, 'deploy', env), { recursive: true, force: true });
      const steps: Outputs = {};
      // The local fetch-artifact action's run steps stand in for it, with its inputs as the workflow passes them.
      const fetchSteps = fetchArtifact.runs.steps.map((s) => ({
        ...s,
        env: {
          ...s.env,
          SERVICE: '${{ inputs.service }}',
          DIGEST: '${{ needs.artifact.outputs.digest }}',
          STORE: '${{ needs.artifact.outputs.store }}',
        },
      }));
      const runs = job.steps
        .flatMap((step) => (step.uses === './.github/actions/fetch-artifact' ? fetchSteps : [step]))
        .flatMap((step) => (step.run ? [{ ...step, run: step.run }] : []));
      for (const step of runs) {
        const title = step.name ?? step.run.split('\n')[0] ?? '';
        if (step.run.includes('gh api')) {
          log(`-- ${title}: skipped (GitHub's API)`);
          continue;
        }
        const outputFile = join(runnerTemp, `output-${id}-${step.id ?? 'step'}`);
        await writeFile(outputFile, '');
        const started = performance.now();
        const result = await execa('bash', ['-e', '-o', 'pipefail', '-c', step.run], {
          cwd: ws.root,
          reject: false,
          all: true,
          env: {
            ...base,
            GITHUB_OUTPUT: outputFile,
            GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary.md'),
            RUNNER_TEMP: runnerTemp,
            PERF_DURATION_SECONDS: '5',
            ...resolveAll(workflow.env, steps),
            ...resolveAll(job.env, steps),
            ...resolveAll(step.env, steps),
          },
          extendEnv: false,
        });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        log(`-- ${title}: exit ${result.exitCode} (${seconds} s)`);
        log(
          (result.all ?? '')
            .trim()
            .split('\n')
            .slice(result.exitCode === 0 ? -8 : -60)
            .join('\n'),
        );
        if (result.exitCode !== 0) return { ok: false, outputs, ...(await gitops(origin)) };
        if (step.id)
          steps[step.id] = Object.fromEntries(
            (await readFile(outputFile, 'utf8'))
              .split('\n')
              .filter((line) => line.includes('='))
              .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
          );
      }
      outputs[id] = Object.fromEntries(Object.entries(job.outputs ?? {}).map(([k, v]) => [k, resolve(v, steps)]));
    }
    return { ok: true, outputs, ...(await gitops(origin)) };
  } finally {
    await disposeWorkspaceStorages(ws.root);
    await ws.dispose();
    await rm(origin, { recursive: true, force: true });
    await rm(runnerTemp, { recursive: true, force: true });
  }
}

async function gitops(origin: string): Promise<Pick<DryRunResult, 'gitops' | 'gitopsFiles'>> {
  const git = (...args: string[]) => execa('git', args, { cwd: origin, reject: false });
  const lines = (text: string) => text.split('\n').filter(Boolean);
  return {
    gitops: lines((await git('log', '--format=%s', 'deploy')).stdout),
    gitopsFiles: lines((await git('ls-tree', '-r', '--name-only', 'deploy')).stdout),
  };
}

const DRY_RUN = new CommandLine({
  name: 'dry-run',
  usage: 'node --import tsx tools/pipeline/src/dry-run-cli.ts <service> [<job>,<job>,…]',
  help: `Runs the run: steps of .github/workflows/service-pipeline.yml for <service> in a scratch copy of the workspace,
job by job (default: ${STAGE_JOBS.join(',')}), printing each step's last lines and time.
Exit codes: 0 every step passed, 1 a step failed (the run stops there), 2 bad arguments.`,
  flags: {},
  positionals: { expected: 'a service, then optionally its jobs (job,job,…)', min: 1, max: 2 },
});

export const main = DRY_RUN.main(async ({ positionals: [service = '', jobs] }, { out }) => {
  const result = await dryRun({
    service,
    ...(jobs ? { jobs: jobs.split(',') } : {}),
    log: (line) => out.write(`${line}\n`),
  });
  out.write(`\nGitOps branch:\n${result.gitops.join('\n') || '(none)'}\n`);
  return result.ok ? 0 : 1;
});
