import { addProjectConfiguration, type TargetConfiguration, type Tree } from '@nx/devkit';
import { SERVICE_TAG } from '@musiccorp/core/services';
import type { NormalizedOptions } from './normalize-options';

/** The drift check's command line (`npm run drift`), copied with generators/ into every workspace the platform makes. */
export const DRIFT_CLI = 'generators/src/drift/cli.ts';
/** The contract gate (`npm run contract`), run bundled like owners and ci:affected. */
export const CONTRACT_CLI = 'tools/core/bin/run.mjs contract/cli';

/** Commands run inside the service folder, so the service builds the same way with or without Nx. */
const inService = (command: string, extra: Partial<TargetConfiguration> = {}): TargetConfiguration => ({
  executor: 'nx:run-commands',
  options: { command, cwd: '{projectRoot}' },
  ...extra,
});

/**
 * A pipeline stage after the fast tests, run from the workspace root by the platform's stage runner. How the stages
 * chain (dependsOn), what is cached and what runs alone live in nx.json targetDefaults, one place for every service.
 */
const stage = (name: string, service: string): TargetConfiguration => ({
  executor: 'nx:run-commands',
  options: { command: `node --import tsx tools/pipeline/src/stage-cli.ts ${name} ${service}` },
});

export function addProject(tree: Tree, options: NormalizedOptions): void {
  addProjectConfiguration(tree, options.name, {
    root: options.projectRoot,
    sourceRoot: `${options.projectRoot}/src`,
    projectType: 'application',
    tags: [SERVICE_TAG, `team:${options.team.id}`],
    targets: {
      // One file plus its source map (positions only: sources stay in git, keeping the image's app layer small);
      // esbuild output is byte-for-byte deterministic for the same inputs.
      build: inService(
        'esbuild src/main.ts --bundle --platform=node --target=node20 --format=cjs --sourcemap --sources-content=false --legal-comments=none --log-level=warning --outfile=dist/main.js',
        { outputs: ['{projectRoot}/dist'] },
      ),
      test: inService('vitest run'),
      typecheck: inService('tsc -p tsconfig.json --noEmit'),
      lint: inService('eslint .'),
      // Platform-owned files as the recorded template commit rendered them (generators/src/drift), from the root.
      drift: { executor: 'nx:run-commands', options: { command: `node --import tsx ${DRIFT_CLI} ${options.name}` } },
      // Its committed contract is what its code declares, and no breaking change without a new major: against
      // CONTRACT_BASE (npm run ci sets it to ci:affected's base), else the merge base with nx.json defaultBase.
      contract: {
        executor: 'nx:run-commands',
        options: { command: `node ${CONTRACT_CLI} check --service=${options.name} --declared` },
      },
      // tsx watch restarts with SIGTERM and kills after 5 s: no load balancer to drain for on a laptop.
      serve: {
        executor: 'nx:run-commands',
        options: { command: 'tsx watch src/main.ts', cwd: '{projectRoot}', env: { SHUTDOWN_DRAIN_DELAY_MS: '0' } },
        continuous: true,
      },
      // The delivery pipeline (services/<name>/pipeline.json): test → artifact → slow-test → perf → deploy.
      artifact: stage('artifact', options.name),
      'slow-test': stage('slow-test', options.name),
      perf: stage('perf', options.name),
      deploy: stage('deploy', options.name),
    },
  });
}
