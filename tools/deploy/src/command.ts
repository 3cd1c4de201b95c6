/**
 * `npm run deploy`: renders the desired state of a service into deploy/<env>/<service>/ from its verified artifact
 * record, environment by environment in order — as `main(argv, out, err)`; cli.ts runs it.
 */
import { CommandLine } from '@musiccorp/core/cli';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { ApprovalRequiredError, approvalHint, deploy, DeployUsageError } from './deploy';

const DEPLOY = new CommandLine({
  name: 'deploy',
  usage: 'npm run deploy -- <service> [--env=ci|preprod|production|all] [--approve]',
  help: `Renders deploy/<env>/<service>/ from the service's verified artifact record, environment by environment in order.
  --env      one environment, or all (the default) in promotion order
  --approve  approves the environments that need it ("approval": "required"); or DEPLOY_APPROVED=<env>[,<env>].
             In GitHub Actions that job runs behind the environment's required reviewers and sets DEPLOY_APPROVED.
Exit codes: 0 done (also --env=all stopping before an environment that awaits approval), 1 refused (artifact
missing or tampered, invalid environment file or manifest, out of order), 2 bad arguments, 3 approval required.`,
  flags: {
    env: { type: 'string', default: 'all' },
    approve: { type: 'boolean' },
  },
  positionals: { expected: 'one service', min: 1, max: 1 },
});

export const main = DEPLOY.main(async ({ flags: values, positionals: [service = ''] }, { out, err }) => {
  const print = (line: string) => out.write(`${line}\n`);
  const workspaceRoot = process.env['DEPLOY_WORKSPACE_ROOT'] ?? WORKSPACE_ROOT;
  const approved = (process.env['DEPLOY_APPROVED'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  // --approve approves whatever this run targets: a person's explicit act on the command line.
  const approvals = values.approve ? 'all' : new Set(approved);
  try {
    const outcome = await deploy({
      workspaceRoot,
      service,
      env: values.env,
      approvals,
      log: print,
    });
    if (outcome.awaitingApproval)
      print(
        `${outcome.awaitingApproval}: awaits approval, not rendered: ${approvalHint(service, outcome.awaitingApproval)}.`,
      );
    const changed = outcome.rendered.filter((result) => result.change !== 'unchanged').map((result) => result.dir);
    print(changed.length ? `Commit ${changed.join(', ')}: Flux/Argo CD applies what is in git.` : 'Nothing changed.');
    return 0;
  } catch (error) {
    err.write(`deploy: ${(error as Error).message}\n`);
    if (error instanceof ApprovalRequiredError) return 3;
    if (error instanceof DeployUsageError) return 2;
    return 1;
  }
});
