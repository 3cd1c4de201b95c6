import { describe, expect, it } from 'vitest';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from './demo';

/** Runs `npm run demo -- …` in-process, capturing what it prints; only command lines that stop before the demo runs. */
function demo(...argv: string[]) {
  return runCaptured(main, argv);
}

describe('npm run demo (the command line)', () => {
  it('--help says what it does and that --keep keeps the scratch workspace', async () => {
    const result = await demo('--help');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: npm run demo \[-- --keep\]\n/);
    expect(result.stdout).toContain('--keep  leave the scratch workspace on disk');
  });

  it('a mistyped flag is refused before anything runs: exit 2, naming --keep', async () => {
    expect(await demo('--kepp')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "demo: Unknown option '--kepp'. Did you mean --keep?\n\nUsage: npm run demo [-- --keep]\n(--help explains every option)\n",
    });
  });
});
