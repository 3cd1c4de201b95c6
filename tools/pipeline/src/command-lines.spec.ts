import { describe, expect, it } from 'vitest';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main as ci } from './ci';
import { main as pipeline } from './pipeline';
import { main as stage } from './stage';
import { main as dryRun } from './workflows/dry-run';

/** Runs a command in-process, capturing what it prints. */
function run(main: typeof ci, ...argv: string[]) {
  return runCaptured(main, argv);
}

describe('the pipeline command lines (nothing here reaches Nx)', () => {
  it('npm run pipeline -- catalog --to=bogus: says --to=bogus is not a stage, lists the stages, then the usage', async () => {
    const result = await run(pipeline, 'catalog', '--to=bogus');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^pipeline: --to=bogus is not a stage: test, artifact, slow-test, perf, deploy\.\n\nUsage: npm run pipeline -- <service> /,
    );
  });

  it('npm run pipeline without a service, or with two: exit 2 saying so, then the usage', async () => {
    expect(await run(pipeline)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^pipeline: Expected one service, got none\.\n\nUsage: /),
    });
    expect((await run(pipeline, 'catalog', 'payment')).stderr).toContain(
      'Expected one service, got 2: catalog payment.',
    );
  });

  it('--help prints the usage and what the flags do, exit 0', async () => {
    for (const [main, usage] of [
      [pipeline, 'Usage: npm run pipeline -- <service> [--to=test|artifact|slow-test|perf|deploy]'],
      [ci, 'Usage: npm run ci -- --base=<ref>'],
      [stage, 'Usage:\n  node --import tsx tools/pipeline/src/stage-cli.ts artifact <service>'],
      [dryRun, 'Usage: node --import tsx tools/pipeline/src/dry-run-cli.ts <service>'],
    ] as const) {
      const result = await run(main, '--help');
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout.startsWith(usage), result.stdout).toBe(true);
      expect(result.stdout).toMatch(/Exit codes: 0 /);
    }
  });

  it('npm run ci: an unknown flag names the nearest one, an empty --base is refused', async () => {
    expect((await run(ci, '--bsae=origin/main')).stderr).toMatch(
      /^ci: Unknown option '--bsae'\. Did you mean --base\?\n\nUsage: npm run ci/,
    );
    expect(await run(ci, '--base=')).toMatchObject({ code: 2, stderr: expect.stringContaining('--base is empty') });
  });

  it('a stage: an unknown stage or a missing service is exit 2 with the usage', async () => {
    expect(await run(stage, 'deploi', 'catalog')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^stage: "deploi" is not a stage: artifact, slow-test, perf, deploy\.\n\nUsage:\n/),
    });
    expect((await run(stage, 'deploy')).stderr).toContain('Expected a stage and a service, got 1: deploy.');
    expect((await run(stage, 'deploy', 'catalog', '--env=ci')).stderr).toContain(
      "Unknown option '--env'. Did you mean --environment?",
    );
  });

  it('the dry run needs a service', async () => {
    expect((await run(dryRun)).stderr).toMatch(/^dry-run: Expected a service, then optionally its jobs/);
  });
});
