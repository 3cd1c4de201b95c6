/**
 * One pipeline stage of one service, the command of the service's Nx targets `artifact`, `slow-test`, `perf` and
 * `deploy` — as `main(argv, out, err)`; stage-cli.ts runs it.
 */
import { CommandLine, type ArgsOf } from '@musiccorp/core/cli';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { artifactStage } from './stages/artifact';
import { deployStage } from './stages/deploy';
import { perfStage } from './stages/perf';
import { slowTestStage } from './stages/slow-test';

const STAGE = new CommandLine({
  name: 'stage',
  usage: [
    'node --import tsx tools/pipeline/src/stage-cli.ts artifact <service> [--base-image=<name>] [--source-url=<url>]',
    'node --import tsx tools/pipeline/src/stage-cli.ts slow-test|perf <service>',
    'node --import tsx tools/pipeline/src/stage-cli.ts deploy <service> [--environment=<name>] [--approve]',
  ],
  help: `Nx runs it, passing extra arguments on: npx nx run catalog:deploy --environment=ci.
  --base-image, --source-url  or BASE_IMAGE, SOURCE_URL
  --environment               one environment of the pipeline file; --environment, not the deploy CLI's --env:
                              Nx's run-commands executor owns --env (its environment variables)
  --approve                   or DEPLOY_APPROVED=<env>[,<env>]
PERF_DURATION_SECONDS shortens the perf stage's load.
Exit codes: 0 passed, 1 failed, 2 bad arguments.`,
  flags: {
    'base-image': { type: 'string' },
    'source-url': { type: 'string' },
    environment: { type: 'string' },
    approve: { type: 'boolean' },
  },
  positionals: { expected: 'a stage and a service', min: 2, max: 2 },
});

type StageFlags = ArgsOf<typeof STAGE>['flags'];

const STAGES: Record<string, (service: string, flags: StageFlags) => Promise<number>> = {
  artifact: (service, flags) => {
    const baseImage = flags['base-image'] || process.env['BASE_IMAGE'];
    const sourceUrl = flags['source-url'] || process.env['SOURCE_URL'];
    return artifactStage({
      workspaceRoot: WORKSPACE_ROOT,
      service,
      ...(baseImage ? { baseImage } : {}),
      ...(sourceUrl ? { sourceUrl } : {}),
    });
  },
  'slow-test': (service) => slowTestStage(WORKSPACE_ROOT, service),
  perf: (service) => perfStage(WORKSPACE_ROOT, service),
  deploy: (service, flags) =>
    deployStage({
      workspaceRoot: WORKSPACE_ROOT,
      service,
      approve: flags.approve,
      ...(flags.environment ? { environment: flags.environment } : {}),
    }),
};

export const main = STAGE.main(async ({ flags, positionals: [stage = '', service = ''] }, { err }) => {
  const runStage = Object.hasOwn(STAGES, stage) ? STAGES[stage] : undefined;
  if (!runStage) throw STAGE.refuse(`"${stage}" is not a stage: ${Object.keys(STAGES).join(', ')}.`);
  try {
    return await runStage(service, flags);
  } catch (error) {
    err.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
});
