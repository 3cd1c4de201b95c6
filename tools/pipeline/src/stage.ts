/**
 * `node --import tsx tools/pipeline/src/stage.ts <stage> <service> [options]`: one pipeline stage of one service —
 * the command of the service's Nx targets `artifact`, `slow-test`, `perf` and `deploy` (Nx passes extra arguments on:
 * `npx nx run catalog:deploy --environment=ci`).
 *
 *   artifact   [--base-image=NAME] [--source-url=URL]   (or BASE_IMAGE, SOURCE_URL)
 *   slow-test
 *   perf                                                 (PERF_DURATION_SECONDS shortens the load)
 *   deploy     [--environment=NAME] [--approve]          (or DEPLOY_APPROVED=<env>[,<env>])
 *
 * (`--environment`, not the deploy CLI's `--env`: Nx's run-commands executor owns `--env`, its environment variables.)
 *
 * Exit code 0 passed, 1 failed, 2 bad arguments.
 */
import { parseArgs } from 'node:util';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { artifactStage } from './stages/artifact';
import { deployStage } from './stages/deploy';
import { perfStage } from './stages/perf';
import { slowTestStage } from './stages/slow-test';

const USAGE =
  'Usage: stage.ts artifact|slow-test|perf|deploy <service> [--base-image=NAME] [--source-url=URL] [--environment=NAME] [--approve]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        'base-image': { type: 'string' },
        'source-url': { type: 'string' },
        environment: { type: 'string' },
        approve: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [stage, service] = positionals;
  if (!stage || !service || positionals.length > 2) {
    console.error(USAGE);
    return 2;
  }
  const workspaceRoot = WORKSPACE_ROOT;
  switch (stage) {
    case 'artifact': {
      const baseImage = values['base-image'] || process.env['BASE_IMAGE'];
      const sourceUrl = values['source-url'] || process.env['SOURCE_URL'];
      return artifactStage({
        workspaceRoot,
        service,
        ...(baseImage ? { baseImage } : {}),
        ...(sourceUrl ? { sourceUrl } : {}),
      });
    }
    case 'slow-test':
      return slowTestStage(workspaceRoot, service);
    case 'perf':
      return perfStage(workspaceRoot, service);
    case 'deploy':
      return deployStage({
        workspaceRoot,
        service,
        approve: values.approve,
        ...(values.environment ? { environment: values.environment } : {}),
      });
    default:
      console.error(`Unknown stage "${stage}".\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  return 1;
});
