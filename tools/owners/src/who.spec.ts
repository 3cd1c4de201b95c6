import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitRepo, type GitRepo } from '@musiccorp/core/testing/git-repo';
import { runCli } from './testing/run-cli';
import { who } from './who';

const CODEOWNERS = [
  '# Platform owns everything not claimed below.', // 1
  '* @musiccorp/platform', // 2
  '*.md @musiccorp/platform @mc-docs', // 3
  '/services/catalog/ @musiccorp/catalog', // 4
  '/services/catalog/vendor/', // 5: no owners
  '',
].join('\n');

let repo: GitRepo;
afterEach(() => repo?.dispose());

describe('owners who', () => {
  it('--json prints exactly [{path, owners, line}], with owners [] and line null when unowned', async () => {
    repo = createGitRepo({ CODEOWNERS });
    const cli = await runCli([
      'who',
      '--json',
      '--repo',
      repo.root,
      'services/catalog/src/app.ts',
      'README.md',
      'services/catalog/vendor/lib.js',
      'services/catalog/NOTES.md',
    ]);
    expect(cli.code).toBe(0);
    expect(cli.stderr).toBe('');
    expect(JSON.parse(cli.stdout)).toStrictEqual([
      { path: 'services/catalog/src/app.ts', owners: ['@musiccorp/catalog'], line: 4 },
      { path: 'README.md', owners: ['@musiccorp/platform', '@mc-docs'], line: 3 },
      { path: 'services/catalog/vendor/lib.js', owners: [], line: null },
      { path: 'services/catalog/NOTES.md', owners: ['@musiccorp/catalog'], line: 4 },
    ]);
  });

  it('prints one line per path in text mode, naming the deciding rule', async () => {
    repo = createGitRepo({ CODEOWNERS });
    const cli = await runCli([
      'who',
      '--repo',
      repo.root,
      'services/catalog/src/app.ts',
      'services/catalog/vendor/lib.js',
    ]);
    expect(cli.stdout).toBe(
      [
        'services/catalog/src/app.ts     @musiccorp/catalog  (CODEOWNERS:4)',
        'services/catalog/vendor/lib.js  (unowned: CODEOWNERS:5 "/services/catalog/vendor/" has no owners)',
        '',
      ].join('\n'),
    );
  });

  it('works for paths that do not exist yet, and normalizes ./, absolute and doubled-slash paths', () => {
    repo = createGitRepo({ '.github/CODEOWNERS': CODEOWNERS });
    const result = who(repo.root, [
      './services/catalog/new.ts',
      join(repo.root, 'services/catalog/x.ts'),
      'services//catalog/y.ts',
    ]);
    expect(result.codeowners).toBe('.github/CODEOWNERS');
    expect(result.entries.map(({ path, owners }) => [path, owners])).toEqual([
      ['services/catalog/new.ts', ['@musiccorp/catalog']],
      ['services/catalog/x.ts', ['@musiccorp/catalog']],
      ['services/catalog/y.ts', ['@musiccorp/catalog']],
    ]);
  });

  it('co-owns a whole folder with "dir/", while "dir/*" reaches only its direct files (GitHub\'s documented exception)', () => {
    repo = createGitRepo({
      CODEOWNERS: [
        '* @musiccorp/platform',
        '/services/catalog/ @musiccorp/catalog',
        '/services/catalog/src/chassis/ @musiccorp/catalog @musiccorp/platform',
        '/services/catalog/test/chassis/* @musiccorp/catalog @musiccorp/platform',
        '',
      ].join('\n'),
    });
    const result = who(repo.root, [
      'services/catalog/src/chassis/app.ts',
      'services/catalog/src/chassis/health/probe.ts',
      'services/catalog/test/chassis/app.spec.ts',
      'services/catalog/test/chassis/health/probe.spec.ts',
      'services/catalog/src/chassis', // the folder's own path: a "dir/" rule owns what is beneath it only
    ]);
    expect(result.entries.map(({ path, owners, line }) => [path, owners, line])).toEqual([
      ['services/catalog/src/chassis/app.ts', ['@musiccorp/catalog', '@musiccorp/platform'], 3],
      ['services/catalog/src/chassis/health/probe.ts', ['@musiccorp/catalog', '@musiccorp/platform'], 3],
      ['services/catalog/test/chassis/app.spec.ts', ['@musiccorp/catalog', '@musiccorp/platform'], 4],
      ['services/catalog/test/chassis/health/probe.spec.ts', ['@musiccorp/catalog'], 2],
      ['services/catalog/src/chassis', ['@musiccorp/catalog'], 2],
    ]);
  });

  it('skips invalid lines as GitHub does, and warns about them on stderr', async () => {
    repo = createGitRepo({ CODEOWNERS: `${CODEOWNERS}!/services/catalog/ @nobody\n` });
    const cli = await runCli(['who', '--json', '--repo', repo.root, 'services/catalog/a.ts']);
    expect(JSON.parse(cli.stdout)).toStrictEqual([
      { path: 'services/catalog/a.ts', owners: ['@musiccorp/catalog'], line: 4 },
    ]);
    expect(cli.stderr).toContain('owners: CODEOWNERS:6: "!/services/catalog/": negation with "!" is not supported');
  });

  it('treats every path as unowned without a CODEOWNERS file', async () => {
    repo = createGitRepo({ 'README.md': 'x' });
    const cli = await runCli(['who', '--json', '--repo', repo.root, 'README.md']);
    expect(JSON.parse(cli.stdout)).toStrictEqual([{ path: 'README.md', owners: [], line: null }]);
    expect(cli.stderr).toMatch(/no CODEOWNERS file/);
  });

  it('refuses paths outside the repository and a missing path list (exit 2)', async () => {
    repo = createGitRepo({ CODEOWNERS });
    expect(await runCli(['who', '--repo', repo.root, '../elsewhere.ts'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('is not a path inside the repository'),
    });
    expect(await runCli(['who', '--repo', repo.root])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('needs at least one path'),
    });
    expect(await runCli(['who', '--base=main', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--base is not an option of this command'),
    });
    expect(await runCli(['whom', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "whom"'),
    });
  });
});
