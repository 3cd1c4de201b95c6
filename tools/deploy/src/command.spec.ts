import { describe, expect, it } from 'vitest';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from './command';

/** `npm run deploy -- …` in-process; only command lines refused or answered before anything is read. */
function deploy(...argv: string[]) {
  return runCaptured(main, argv);
}

describe('npm run deploy (the command line)', () => {
  it('--help explains --env, --approve and the exit codes', async () => {
    const result = await deploy('--help');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(
      /^Usage: npm run deploy -- <service> \[--env=ci\|preprod\|production\|all\] \[--approve\]\n/,
    );
    expect(result.stdout).toContain('3 approval required');
  });

  it('no service, two services or a repeated --env: exit 2 saying which, then the usage', async () => {
    expect((await deploy()).stderr).toMatch(/^deploy: Expected one service, got none\.\n\nUsage: npm run deploy /);
    expect((await deploy('catalog', 'payment')).code).toBe(2);
    expect((await deploy('catalog', '--env=ci', '--env=production')).stderr).toContain(
      '--env is given more than once (--env=ci, --env=production): give it once.',
    );
  });
});
