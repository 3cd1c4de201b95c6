import { afterEach, describe, expect, it } from 'vitest';
import { findCodeowners, ownerKind, parseCodeowners } from './codeowners-file';
import { createGitRepo, type GitRepo } from '../testing/git-repo';

describe('parseCodeowners', () => {
  it('reads patterns and owners, skipping blank lines, comments and inline comments', () => {
    const file = parseCodeowners(
      [
        '# comment',
        '',
        '*       @global-owner1 @global-owner2',
        '*.js    @js-owner #This is an inline comment.',
        '*.go docs@example.com',
        '*.txt @octo-org/octocats',
        '/apps/github',
        '   # indented comment',
      ].join('\n'),
    );
    expect(file.problems).toEqual([]);
    expect(
      file.rules.map(({ index, line, pattern, owners }) => ({ index, line, source: pattern.source, owners })),
    ).toEqual([
      { index: 0, line: 3, source: '*', owners: ['@global-owner1', '@global-owner2'] },
      { index: 1, line: 4, source: '*.js', owners: ['@js-owner'] },
      { index: 2, line: 5, source: '*.go', owners: ['docs@example.com'] },
      { index: 3, line: 6, source: '*.txt', owners: ['@octo-org/octocats'] },
      { index: 4, line: 7, source: '/apps/github', owners: [] },
    ]);
  });

  it('copes with CRLF line endings, a BOM, tabs and trailing spaces', () => {
    const file = parseCodeowners('\uFEFF* @a\r\n/docs/\t@b   @c  \r\n');
    expect(file.problems).toEqual([]);
    expect(file.rules.map((rule) => [rule.line, rule.pattern.source, rule.owners])).toEqual([
      [1, '*', ['@a']],
      [2, '/docs/', ['@b', '@c']],
    ]);
  });

  it('keeps an escaped space inside the pattern', () => {
    const [rule] = parseCodeowners('/My\\ Documents/ @a').rules;
    expect(rule!.pattern.regex.test('My Documents/x')).toBe(true);
    expect(rule!.owners).toEqual(['@a']);
  });

  it('keeps an escaped trailing space of an ownerless line, dropping only unescaped ones (gitignore)', () => {
    const file = parseCodeowners(['* @a', 'foo\\ ', 'bar\\  \t', '/baz\\\\ @b  '].join('\n'));
    expect(file.problems).toEqual([]);
    expect(file.rules.map((rule) => [rule.pattern.source, rule.owners])).toEqual([
      ['*', ['@a']],
      ['foo\\ ', []],
      ['bar\\ ', []],
      ['/baz\\\\', ['@b']],
    ]);
    const [, foo] = file.rules;
    expect(foo!.pattern.regex.test('foo ')).toBe(true);
    expect(foo!.pattern.regex.test('foo')).toBe(false);
  });

  it('reports invalid lines with their line number and a fix, and skips them as GitHub does', () => {
    const file = parseCodeowners(
      [
        '* @a',
        '!*.js @b',
        '*.[ch] @c',
        '\\#file @d',
        '/x/ octocat',
        '/y/ musiccorp/catalog',
        '/z/ @a @-bad-',
        'docs/* @ok',
      ].join('\n'),
    );
    expect(file.rules.map((rule) => rule.line)).toEqual([1, 8]);
    expect(file.problems.map((problem) => [problem.line, problem.message])).toEqual([
      [2, expect.stringContaining('negation')],
      [3, expect.stringContaining('character ranges')],
      [4, expect.stringContaining('escaping "#"')],
      [5, 'malformed owner "octocat" (GitHub skips this line)'],
      [6, 'malformed owner "musiccorp/catalog" (GitHub skips this line)'],
      [7, 'malformed owner "@-bad-" (GitHub skips this line)'],
    ]);
    expect(file.problems[3]!.fix).toBe('write the user as "@octocat" (or use a team, "@org/team")');
    expect(file.problems[4]!.fix).toBe('write the team as "@musiccorp/catalog"');
    expect(file.rules.map((rule) => rule.index)).toEqual([0, 1]);
  });
});

describe('ownerKind', () => {
  it.each([
    ['@octocat', 'user'],
    ['@mc-catalog-lead', 'user'],
    ['@musiccorp/catalog', 'team'],
    ['@octo-org/octo_cats.v2', 'team'],
    ['docs@example.com', 'email'],
    ['first.last+tag@mail.example.co.uk', 'email'],
    ['octocat', null],
    ['@', null],
    ['@-x', null],
    ['@x-', null],
    ['@a--b', null],
    ['@org/', null],
    ['@org/team/extra', null],
    ['docs@example', null],
    [`@${'a'.repeat(40)}`, null],
  ])('%s → %s', (owner, kind) => {
    expect(ownerKind(owner)).toBe(kind);
  });
});

describe('findCodeowners', () => {
  let repo: GitRepo;
  afterEach(() => repo.dispose());

  it('uses .github/CODEOWNERS first, then CODEOWNERS, then docs/CODEOWNERS, and lists the ignored ones', () => {
    repo = createGitRepo({
      'docs/CODEOWNERS': '* @docs\n',
      CODEOWNERS: '* @root\n',
      '.github/CODEOWNERS': '* @github\n',
    });
    expect(findCodeowners(repo.root)).toMatchObject({
      path: '.github/CODEOWNERS',
      text: '* @github\n',
      ignored: ['CODEOWNERS', 'docs/CODEOWNERS'],
    });
    repo.remove('.github');
    expect(findCodeowners(repo.root)).toMatchObject({ path: 'CODEOWNERS', ignored: ['docs/CODEOWNERS'] });
    repo.remove('CODEOWNERS');
    expect(findCodeowners(repo.root)).toMatchObject({ path: 'docs/CODEOWNERS', ignored: [] });
    repo.remove('docs/CODEOWNERS');
    expect(findCodeowners(repo.root)).toBeNull();
  });

  it('is case-sensitive about the file name, as GitHub is', () => {
    repo = createGitRepo({ codeowners: '* @lower\n', 'docs/CODEOWNERS': '* @docs\n' });
    expect(findCodeowners(repo.root)?.path).toBe('docs/CODEOWNERS');
  });
});
