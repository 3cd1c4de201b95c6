/**
 * `npm run pipeline -- <service> [--to=<stage>] [--approve=<env>[,<env>]] [--verbose]`
 *
 * One service's pipeline, the same stages and view as `npm run ci`: `nx run-many -t <stage> -p <service>` runs the
 * chain up to <stage> (default deploy; `test` = its lint, typecheck and test targets).
 * Exit codes: 0 passed, 1 failed, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { readPipelineFile, STAGES, type StageName } from './pipeline-file';
import { planUpTo } from './plan';
import { runPipelines } from './run-pipelines';

const USAGE = `Usage: npm run pipeline -- <service> [--to=${STAGES.join('|')}] [--approve=<env>[,<env>]] [--verbose]`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        to: { type: 'string', default: 'deploy' },
        approve: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`pipeline: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [service] = positionals;
  const to = values.to as StageName;
  if (!service || positionals.length > 1 || !STAGES.includes(to)) {
    console.error(USAGE);
    return 2;
  }
  let team;
  try {
    ({ team } = await readPipelineFile(WORKSPACE_ROOT, service));
  } catch (error) {
    console.error(`pipeline: ${(error as Error).message}`);
    return 2;
  }
  const approved = [process.env['DEPLOY_APPROVED'], values.approve].filter(Boolean).join(',');
  const { exitCode } = await runPipelines({
    workspaceRoot: WORKSPACE_ROOT,
    groups: [{ ...planUpTo(to), services: [{ name: service, team, stages: planUpTo(to).stages }] }],
    env: approved ? { DEPLOY_APPROVED: approved } : {},
    verbose: values.verbose,
  });
  return exitCode;
}

process.exitCode = await main();
