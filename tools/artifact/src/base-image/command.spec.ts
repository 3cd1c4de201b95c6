import { describe, expect, it } from 'vitest';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from './command';

/** `npm run base-image -- …` in-process; only command lines refused or answered before anything is built. */
function baseImage(...argv: string[]) {
  return runCaptured(main, argv);
}

describe('npm run base-image (the command line)', () => {
  it('--help lists the storage, --name, --force and --json', async () => {
    const result = await baseImage('--help');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    for (const flag of ['--root', '--runroot', '--name', '--force', '--json']) expect(result.stdout).toContain(flag);
  });

  it('a bad flag is exit 2 with the usage, before buildah is looked for', async () => {
    expect(await baseImage('--forse')).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringMatching(
        /^base-image: Unknown option '--forse'\. Did you mean --force\?\n\nUsage: npm run base-image /,
      ),
    });
    expect((await baseImage('--json=yes')).stderr).toContain('--json takes no value (got --json=yes).');
  });
});
