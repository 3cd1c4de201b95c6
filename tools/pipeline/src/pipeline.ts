/**
 * `npm run pipeline`: one service's pipeline, the same stages and view as `npm run ci` — as `main(argv, out, err)`;
 * pipeline-cli.ts runs it.
 */
import { CommandLine, UsageError } from '@musiccorp/core/cli';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { readPipelineFile, STAGES, type StageName } from './pipeline-file';
import { planUpTo } from './plan';
import { runPipelines } from './run-pipelines';

const PIPELINE = new CommandLine({
  name: 'pipeline',
  usage: `npm run pipeline -- <service> [--to=${STAGES.join('|')}] [--approve=<env>[,<env>]] [--verbose]`,
  help: `Runs <service>'s pipeline up to a stage: nx run-many -t <stage> -p <service> runs the chain before it too.
  --to=<stage>  the last stage (default deploy); test = the service's lint, typecheck and test targets
  --approve     deploys these environments too when they need approval (passed on as DEPLOY_APPROVED)
  --verbose     every line of Nx's output instead of the live view
Exit codes: 0 passed, 1 failed, 2 bad arguments.`,
  flags: {
    to: { type: 'string', default: 'deploy' },
    approve: { type: 'string' },
    verbose: { type: 'boolean' },
  },
  positionals: { expected: 'one service', min: 1, max: 1 },
});

export const main = PIPELINE.main(async ({ flags: values, positionals: [service = ''] }) => {
  const to = values.to as StageName;
  if (!STAGES.includes(to)) throw PIPELINE.refuse(`--to=${values.to} is not a stage: ${STAGES.join(', ')}.`);
  let team;
  try {
    ({ team } = await readPipelineFile(WORKSPACE_ROOT, service));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const approved = [process.env['DEPLOY_APPROVED'], values.approve].filter(Boolean).join(',');
  const { exitCode } = await runPipelines({
    workspaceRoot: WORKSPACE_ROOT,
    groups: [{ ...planUpTo(to), services: [{ name: service, team, stages: planUpTo(to).stages }] }],
    env: approved ? { DEPLOY_APPROVED: approved } : {},
    verbose: values.verbose,
  });
  return exitCode;
});
