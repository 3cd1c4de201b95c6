/**
 * The service generator's refusals that only the real `nx g` can show, in a scratch copy of this workspace: what Nx's
 * own command-line parsing does before the generator runs (a repeated option arrives as a list, `1e4` as a number)
 * must end in our message naming the fix — never Nx's schema dump — with a non-zero exit and nothing written; and a
 * name or description with a character one cannot see is refused with that character shown escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { forgetOuterNxTask, scratchCommands } from './support';

forgetOuterNxTask();

let scratch: ScratchWorkspace | undefined;
function workspace(): ScratchWorkspace {
  if (!scratch) throw new Error('the scratch workspace was not created');
  return scratch;
}
const { run, fails } = scratchCommands(workspace);

beforeAll(async () => {
  scratch = await createScratchWorkspace('musiccorp-input-');
});
afterAll(() => scratch?.dispose());

describe('nx g @musiccorp/generators:service refuses bad input in its own words', () => {
  it.each([
    [['x', '--team=catalog', '--port=1', '--port=2'], '--port is given 2 times ("1", "2"); give it once.'],
    [['x', '--team=catalog', '--port=1e4'], '--port must be an integer from 1024 to 65535 (got "1e4"); write it'],
    [['x', '--team=catalog', '--port', '3100.0'], '--port must be an integer from 1024 to 65535 (got "3100.0")'],
    [['x', '--team=catalog', '--port= 3100'], '--port must be an integer from 1024 to 65535 (got " 3100")'],
    [['catalog\n', '--team=catalog'], 'Service name "catalog\\n" has whitespace or invisible characters'],
    [['cat\u00a0alog', '--team=catalog'], 'Service name "cat\\u00a0alog" has whitespace or invisible characters'],
    [['x', '--team=catalog', '--description=Sells\u2028music.'], '"Sells\\u2028music." has "\\u2028"'],
  ])('%j', async (args, message) => {
    const output = await fails('npx', 'nx', 'g', '@musiccorp/generators:service', ...args, '--no-interactive');
    expect(output).toContain(message);
    expect(output).not.toContain('does not match the schema');
    const { stdout } = await workspace().run('git', ['status', '--porcelain', '--untracked-files=all']);
    expect(stdout).toBe('');
  });

  it('still takes a port written in digits', async () => {
    const { exitCode, output } = await run('npx', [
      'nx',
      'g',
      '@musiccorp/generators:service',
      'x',
      '--team=catalog',
      '--port',
      '3190',
      '--dry-run',
      '--no-interactive',
    ]);
    expect(exitCode, output).toBe(0);
    expect(output).toContain('CREATE services/x/package.json');
  });
});
