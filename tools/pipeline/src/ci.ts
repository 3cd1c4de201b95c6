/**
 * `npm run ci`: the affected services and why (tools/affected, in this process), then their pipelines through Nx with
 * a live progress view, then one table: each stage's status and time per service, and the digest the stages used —
 * as `main(argv, out, err)`; ci-cli.ts runs it.
 *  - a service whose artifact or deploy configuration changed runs its whole chain: `nx run-many -t deploy`;
 *  - a service with only test, docs or lint-config changes runs just the checks those changes reach (no artifact).
 */
import { CommandLine, UsageError } from '@musiccorp/core/cli';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { planForChange } from './plan';
import { runPipelines, type PipelineGroup } from './run-pipelines';

const CI = new CommandLine({
  name: 'ci',
  usage: 'npm run ci -- --base=<ref> [--head=<ref>] [--approve=<env>[,<env>]] [--parallel=N] [--verbose]',
  help: `The services a change affects (as npm run ci:affected lists them), then each one's pipeline.
  --base, --head  as ci:affected: the merge base of <ref> and the head; --head: committed changes only
  --approve       deploys these environments too when they need approval (passed on as DEPLOY_APPROVED);
                  without it the deploy stops before them, waiting (not failed)
  --parallel=N    pipelines at a time (default 2)
  --verbose       every line of Nx's output instead of the live view
Exit codes: 0 every pipeline passed (or nothing is affected), 1 a pipeline failed, 2 bad arguments or refs.`,
  flags: {
    base: { type: 'string' },
    head: { type: 'string' },
    approve: { type: 'string' },
    parallel: { type: 'string', default: '2' },
    verbose: { type: 'boolean' },
  },
});

export const main = CI.main(async ({ flags: values }, { out, err }) => {
  // As ci:affected does: no Nx daemon, Nx's core plugins in this process.
  process.env['NX_DAEMON'] ??= 'false';
  process.env['NX_ISOLATE_PLUGINS'] ??= 'false';
  const { computeAffected } = await import('@musiccorp/affected/affected');
  const { formatHuman } = await import('@musiccorp/affected/format');
  let affected;
  try {
    affected = await computeAffected({ base: values.base, head: values.head });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    err.write(`ci: ${(error as Error).message}\n`);
    return 1;
  }
  for (const warning of affected.warnings) err.write(`warning: ${warning}\n`);
  out.write(`${formatHuman(affected).trimEnd()}\n`);
  if (affected.services.length === 0) {
    out.write('\nNothing affected: no pipeline to run.\n');
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
    // The contract check compares with the same merge base ci:affected listed the services from.
    env: { CONTRACT_BASE: affected.revisions.mergeBase, ...(approved ? { DEPLOY_APPROVED: approved } : {}) },
    parallel: Number(values.parallel) || 2,
    verbose: values.verbose,
  });
  return exitCode;
});
