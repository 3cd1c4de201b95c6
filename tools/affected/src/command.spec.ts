import { describe, expect, it } from 'vitest';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from './command';

/** `npm run ci:affected -- …` in-process; only command lines refused or answered before Nx is loaded. */
function ciAffected(...argv: string[]) {
  return runCaptured(main, argv);
}

describe('npm run ci:affected (the command line)', () => {
  it('--help explains --base, --head, --json and the exit codes', async () => {
    const result = await ciAffected('--help');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: npm run ci:affected -- --base=<ref> \[--head=<ref>\] \[--json\]\n\n/);
    for (const text of ['--base=<ref>', '--head=<ref>', '--json', 'Exit codes:']) expect(result.stdout).toContain(text);
  });

  it('an empty --base (an unset CI variable) and a stray argument are exit 2 with the usage', async () => {
    expect(await ciAffected('--base=', '--json')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ci:affected: --base is empty (an unset CI variable?): give it a value, or leave the flag out.\n\nUsage: npm run ci:affected -- --base=<ref> [--head=<ref>] [--json]\n(--help explains every option)\n',
    });
    expect((await ciAffected('origin/main')).stderr).toContain('Expected no arguments, got 1: origin/main.');
    expect((await ciAffected('--jsno')).stderr).toContain("Unknown option '--jsno'. Did you mean --json?");
  });
});
