/**
 * `npm run ci -- --base=<ref> [--head=<ref>] [--approve=<env>[,<env>]] [--parallel=N] [--verbose]`
 *
 * The affected services and why (tools/affected, in this process), then their pipelines through Nx with a live
 * progress view, then one table: each stage's status and time per service, and the digest the stages used.
 *  - a service whose artifact or deploy configuration changed runs its whole chain: `nx run-many -t deploy`;
 *  - a service with only test, docs or lint-config changes runs just the checks those changes reach (no artifact).
 * --approve passes DEPLOY_APPROVED on to the deploy CLI, so environments that need approval are deployed too;
 * without it the deploy stops before them, waiting (not failed).
 *
 * Exit codes: 0 every pipeline passed (or nothing is affected), 1 a pipeline failed, 2 bad arguments or refs.
 */
import { parseArgs } from 'node:util';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { planForChange } from './plan';
import { runPipelines, type PipelineGroup } from './run-pipelines';

const USAGE = 'Usage: npm run ci -- --base=<ref> [--head=<ref>] [--approve=<env>[,<env>]] [--parallel=N] [--verbose]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        base: { type: 'string' },
        head: { type: 'string' },
        approve: { type: 'string' },
        parallel: { type: 'string', default: '2' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    console.error(`ci: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  // As ci:affected does: no Nx daemon, Nx's core plugins in this process.
  process.env['NX_DAEMON'] ??= 'false';
  process.env['NX_ISOLATE_PLUGINS'] ??= 'false';
  const { computeAffected } = await import('@musiccorp/affected/affected');
  const { UsageError } = await import('@musiccorp/core/usage-error');
  const { formatHuman } = await import('@musiccorp/affected/format');
  let affected;
  try {
    affected = await computeAffected({ base: values.base, head: values.head });
  } catch (error) {
    console.error(`ci: ${(error as Error).message}`);
    return error instanceof UsageError ? 2 : 1;
  }
  for (const warning of affected.warnings) console.error(`warning: ${warning}`);
  console.log(formatHuman(affected).trimEnd());
  if (affected.services.length === 0) {
    console.log('\nNothing affected: no pipeline to run.');
    return 0;
  }

  const groups = new Map<string, PipelineGroup>();
  for (const service of affected.services) {
    const plan = planForChange(service.redeploy, service.targets);
    const key = plan.targets.join(',');
    const group = groups.get(key) ?? { targets: plan.targets, services: [] };
    group.services.push({ name: service.name, team: service.team ?? '-', stages: plan.stages });
    groups.set(key, group);
  }
  const approved = [process.env['DEPLOY_APPROVED'], values.approve].filter(Boolean).join(',');
  const { exitCode } = await runPipelines({
    workspaceRoot: WORKSPACE_ROOT,
    groups: [...groups.values()],
    env: approved ? { DEPLOY_APPROVED: approved } : {},
    parallel: Number(values.parallel) || 2,
    verbose: values.verbose,
  });
  return exitCode;
}

process.exitCode = await main();
