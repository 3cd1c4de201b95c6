/**
 * `npm run deploy -- <service> [--env=ci|preprod|production|all] [--approve]`
 *
 * Renders the desired state of <service> into deploy/<env>/<service>/ from its verified artifact record, environment
 * by environment in order. Environments with `"approval": "required"` need --approve (or DEPLOY_APPROVED=<env>[,<env>]);
 * in GitHub Actions that job runs behind the environment's required reviewers and sets DEPLOY_APPROVED.
 *
 * Exit codes: 0 done (also --env=all stopping before an environment that awaits approval), 1 refused (artifact
 * missing or tampered, invalid environment file or manifest, out of order), 2 bad arguments, 3 approval required.
 */
import { parseArgs } from 'node:util';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { ApprovalRequiredError, approvalHint, deploy, DeployUsageError } from './deploy';

const USAGE = 'Usage: npm run deploy -- <service> [--env=ci|preprod|production|all] [--approve]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      strict: true,
      options: {
        env: { type: 'string', default: 'all' },
        approve: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`deploy: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const service = positionals[0];
  if (!service || positionals.length > 1) {
    console.error(`deploy: name exactly one service.\n${USAGE}`);
    return 2;
  }

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
      log: (line) => console.log(line),
    });
    if (outcome.awaitingApproval)
      console.log(
        `${outcome.awaitingApproval}: awaits approval, not rendered: ${approvalHint(service, outcome.awaitingApproval)}.`,
      );
    const changed = outcome.rendered.filter((result) => result.change !== 'unchanged').map((result) => result.dir);
    console.log(
      changed.length ? `Commit ${changed.join(', ')}: Flux/Argo CD applies what is in git.` : 'Nothing changed.',
    );
    return 0;
  } catch (error) {
    console.error(`deploy: ${(error as Error).message}`);
    if (error instanceof ApprovalRequiredError) return 3;
    if (error instanceof DeployUsageError) return 2;
    return 1;
  }
}

process.exitCode = await main();
