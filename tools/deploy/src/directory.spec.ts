/** replaceDirectory: all-or-nothing swaps, stale files gone, leftovers of killed runs swept. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceDirectory } from './directory';

let parent: string;
beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'musiccorp-deploy-dir-'));
});
afterEach(async () => rm(parent, { recursive: true, force: true }));

describe('replaceDirectory', () => {
  it('creates, reports unchanged for identical bytes, and replaces the whole set (stale files removed)', async () => {
    const target = join(parent, 'catalog');
    expect(
      await replaceDirectory(
        target,
        new Map([
          ['a.yaml', 'a\n'],
          ['b.yaml', 'b\n'],
        ]),
      ),
    ).toBe('created');
    expect(
      await replaceDirectory(
        target,
        new Map([
          ['a.yaml', 'a\n'],
          ['b.yaml', 'b\n'],
        ]),
      ),
    ).toBe('unchanged');
    await writeFile(join(target, 'hand-made.yaml'), 'x\n'); // the directory is the renderer's: this goes too
    expect(await replaceDirectory(target, new Map([['a.yaml', 'a2\n']]))).toBe('updated');
    expect(await readdir(target)).toEqual(['a.yaml']);
    expect(await readFile(join(target, 'a.yaml'), 'utf8')).toBe('a2\n');
    expect((await readdir(parent)).sort()).toEqual(['catalog']); // no staging, set-aside or lock file left
  });

  it('sweeps the staging and set-aside directories of a run that died', async () => {
    const deadPid = 2 ** 22 + 1; // above pid_max's default ceiling: no such process
    await mkdir(join(parent, `.catalog.tmp-${deadPid}-abc`));
    await mkdir(join(parent, `.catalog.old-${deadPid}-def`));
    await mkdir(join(parent, `.catalog.tmp-${process.pid}-live`)); // a live run's: left alone
    await replaceDirectory(join(parent, 'catalog'), new Map([['a.yaml', 'a\n']]));
    expect((await readdir(parent)).sort()).toEqual([`.catalog.tmp-${process.pid}-live`, 'catalog']);
  });

  it('refuses file names that would leave the directory', async () => {
    await expect(replaceDirectory(join(parent, 'x'), new Map([['../evil.yaml', '']]))).rejects.toThrow(
      /not a plain file name/,
    );
    expect(existsSync(join(parent, 'x'))).toBe(false);
  });
});
