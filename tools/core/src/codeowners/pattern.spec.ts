import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createGitRepo, type GitRepo } from '../testing/git-repo';
import { compilePattern, isPatternError, matchesPath, subsumes, type Pattern } from './pattern';

function pattern(source: string): Pattern {
  const compiled = compilePattern(source);
  if (isPatternError(compiled)) throw new Error(`${source}: ${compiled.message}`);
  return compiled;
}

const matches = (source: string, path: string) => pattern(source).regex.test(path);

/** Which of `paths` the repository's .gitignore ignores, as git decides it (their leading folders included). */
function gitIgnores(repo: GitRepo, paths: string[]): Record<string, boolean> {
  const result = spawnSync('git', ['check-ignore', '--stdin', '-z', '-v', '-n'], {
    cwd: repo.root,
    input: paths.map((path) => `${path}\0`).join(''),
    encoding: 'utf8',
  });
  if (result.status !== 0 && result.status !== 1) throw new Error(`git check-ignore failed: ${result.stderr}`);
  // -z -v -n: source, line number, pattern, path for each path; the source is empty for a path nothing ignores
  const fields = result.stdout.split('\0');
  const ignored: Record<string, boolean> = {};
  for (let i = 0; i + 3 < fields.length; i += 4) ignored[fields[i + 3]!] = fields[i] !== '';
  return ignored;
}

/** pattern → path → expected, following GitHub's "About code owners" examples and gitignore semantics. */
const TABLE: Record<string, Record<string, boolean>> = {
  // "*" is everything, at any depth
  '*': { 'README.md': true, 'a/b/c.ts': true, '.github/CODEOWNERS': true },
  // "*.js" matches JS files anywhere
  '*.js': { 'a.js': true, 'src/deep/x.js': true, 'a.jsx': false, 'a.js.map': false, 'x.js/inner.txt': true },
  // "/build/logs/": a root folder and everything beneath it, never a file of that name, never nested elsewhere
  '/build/logs/': {
    'build/logs/a.log': true,
    'build/logs/2024/b.log': true,
    'build/logs': false,
    'x/build/logs/a.log': false,
    'build/logsx/a': false,
  },
  // "docs/*": direct files of docs/ only (GitHub's documented exception to gitignore)
  'docs/*': {
    'docs/getting-started.md': true,
    'docs/build-app/troubleshooting.md': false,
    docs: false,
    'x/docs/a.md': false,
  },
  // "apps/": an apps folder anywhere
  'apps/': { 'apps/a.ts': true, 'x/apps/y/z.ts': true, apps: false, 'myapps/a.ts': false, 'apps.ts': false },
  // "/docs/": the root docs folder and its subfolders
  '/docs/': { 'docs/a.md': true, 'docs/x/b.md': true, 'src/docs/a.md': false },
  // "**/logs": any logs file or folder, at any depth, including the root
  '**/logs': {
    logs: true,
    'logs/a': true,
    'build/logs/a': true,
    'deeply/nested/logs/x/y': true,
    'catalogs/a': false,
    'build/logsx': false,
  },
  // "/apps/github" (no trailing slash): the file or folder apps/github and everything beneath
  '/apps/github': { 'apps/github': true, 'apps/github/a.ts': true, 'apps/githubx': false, 'x/apps/github': false },
  // a slash in the middle anchors to the root
  'foo/bar': { 'foo/bar': true, 'foo/bar/baz': true, 'x/foo/bar': false, 'foo/bart': false },
  // a single segment without slash floats
  foo: { foo: true, 'foo/bar': true, 'bar/foo': true, 'bar/foo/baz': true, 'foo.txt': false },
  '/foo': { foo: true, 'foo/bar': true, 'bar/foo': false, fool: false },
  'f*': { foo: true, 'foo/bar': true, 'bar/foo': true, bar: false },
  '/*': { foo: true, 'foo/bar': false },
  '/*/': { foo: false, 'foo/bar': true, 'foo/bar/baz': true },
  'foo/*.txt': { 'foo/a.txt': true, 'foo/a/b.txt': false, 'x/foo/a.txt': false },
  'foo/*/baz': { 'foo/bar/baz': true, 'foo/bar/baz/qux': true, 'foo/baz': false, 'foo/a/b/baz': false },
  'f?o': { foo: true, fo: false, fooo: false, 'f/o': false },
  'foo/**/bar': { 'foo/bar': true, 'foo/x/bar': true, 'foo/x/y/bar/z': true, 'x/foo/bar': false, 'foo/xbar': false },
  'foo/**': { 'foo/a': true, 'foo/a/b': true, foo: false, 'x/foo/a': false },
  '**': { a: true, 'a/b/c': true },
  '**/*.md': { 'a.md': true, 'x/y/a.md': true, 'a.mdx': false },
  'f\\*o': { 'f*o': true, foo: false },
  'with\\ space/': { 'with space/a': true, 'with/a': false },
  // an escaped trailing space is part of the name (gitignore drops only unescaped trailing spaces)
  'foo\\ ': { 'foo ': true, 'x/foo ': true, 'foo /a': true, foo: false, 'foo  ': false },
  // escaped brackets are the characters themselves, not a range
  '\\[ab\\]': { '[ab]': true, 'x/[ab]/y': true, a: false, b: false, ab: false },
  '/v\\[2\\].md': { 'v[2].md': true, 'v2.md': false, 'x/v[2].md': false },
  // case-sensitive, as on GitHub
  '/Docs/': { 'Docs/a': true, 'docs/a': false },
  // regex metacharacters are literal
  'a+b.(c)': { 'a+b.(c)': true, 'aab.xc': false },
};

describe('compilePattern', () => {
  for (const [source, paths] of Object.entries(TABLE)) {
    it(`"${source}"`, () => {
      const actual = Object.fromEntries(Object.keys(paths).map((path) => [path, matches(source, path)]));
      expect(actual).toEqual(paths);
    });
  }

  it.each([
    ['!*.js', /negation with "!" is not supported/],
    ['*.[ch]', /character ranges "\[ \]" are not supported/],
    ['\\[ab]', /character ranges/], // the "]" is not escaped
    ['a\\\\[b\\]', /character ranges/], // an escaped backslash, then an unescaped "["
    ['\\#notes', /escaping "#" with "\\" is not supported/],
    ['a#b', /"#" inside a pattern/],
    ['a/***', /"\*\*\*"/],
    ['/', /matches nothing/],
    ['a//b', /empty path segment/],
    ['dir\\', /lone "\\"/],
    ['a\\/b', /a "\\" before "\/" escapes nothing/], // parseCodeowners threw on it; refused, as GitHub documents no meaning for it
    ['a\\/', /a "\\" before "\/" escapes nothing/],
  ])('rejects %s as GitHub does', (source, message) => {
    const compiled = compilePattern(source);
    expect(isPatternError(compiled)).toBe(true);
    expect((compiled as { message: string }).message).toMatch(message);
    expect((compiled as { fix: string }).fix).not.toBe('');
  });

  it('matches what git itself ignores for the same line (git check-ignore), but for GitHub\'s trailing "/*"', () => {
    const repo = createGitRepo({}, 'codeowners-pattern-');
    try {
      for (const [source, paths] of Object.entries(TABLE)) {
        // GitHub's documented difference: `docs/*` matches direct files only, where gitignore ignores docs/a/b too.
        if (/(?:^|\/)\*$/.test(source) && source !== '*') continue;
        repo.write({ '.gitignore': `${source}\n` });
        const actual = Object.fromEntries(Object.keys(paths).map((path) => [path, matches(source, path)]));
        expect(actual, source).toEqual(gitIgnores(repo, Object.keys(paths)));
      }
    } finally {
      repo.dispose();
    }
  });

  it('matchesPath (the regex-free fast path) agrees with the regex on every table entry', () => {
    for (const [source, paths] of Object.entries(TABLE)) {
      for (const path of Object.keys(paths)) {
        expect(matchesPath(pattern(source), path, path.split('/')), `${source} on ${path}`).toBe(paths[path]);
      }
    }
    expect(pattern('/services/svc-001/').covers).toEqual({ prefix: ['services', 'svc-001'], strictlyBeneath: true });
    expect(pattern('*').covers).toEqual({ prefix: [], strictlyBeneath: false });
    expect(pattern('*.js').covers).toBeNull();
  });

  it('indexes anchored literal prefixes and floating single segments', () => {
    expect(pattern('/services/svc-001/').literalPrefix).toEqual(['services', 'svc-001']);
    expect(pattern('services/svc-001/src/*.ts').literalPrefix).toEqual(['services', 'svc-001', 'src']);
    expect(pattern('*.js').literalPrefix).toEqual([]);
    expect(pattern('**/logs').literalPrefix).toEqual([]);
    expect(pattern('apps/').anySegment).toBe('apps');
    expect(pattern('logs').anySegment).toBe('logs');
    expect(pattern('*.js').anySegment).toBeNull();
  });
});

describe('subsumes (syntactic shadowing)', () => {
  it.each([
    ['*', '/services/a/', true],
    ['**', '*.js', true],
    ['/services/', '/services/a/', true],
    ['/services', '/services/a/b.ts', true],
    ['/services/', '/services/*.ts', true],
    ['/services/**', '/services/a', true],
    ['/a/b', 'a/b', true], // the same pattern written two ways
    ['/services/', '/services', false], // "/services" also matches a file named services
    ['/services/a/', '/services/', false],
    ['/services/', 'services/', false], // the floating one also matches nested services/ folders
    ['*.js', '/src/a.js', false], // not attempted: decided against tracked files instead
    ['apps/', '/apps/x/', false],
    ['/docs/*', '/docs/a.md', false],
  ])('%s after %s → %s', (later, earlier, expected) => {
    expect(subsumes(pattern(later), pattern(earlier))).toBe(expected);
  });

  it('is sound: whenever it says yes, the later pattern matches every sample path the earlier one matches', () => {
    const sources = [
      '*',
      '**',
      '/a/',
      '/a',
      '/a/b/',
      '/a/b',
      '/a/**',
      '/a/*',
      '/a/b/*.ts',
      'a/',
      'b',
      '*.ts',
      '/a/**/c',
      '/b/',
    ];
    const paths = [
      'a',
      'b',
      'a/b',
      'a/b/c',
      'a/b/c.ts',
      'a/c',
      'a/c.ts',
      'b/a',
      'b/a/b',
      'x/a/b',
      'a/x/c',
      'c.ts',
      'a/b.ts',
    ];
    for (const later of sources) {
      for (const earlier of sources) {
        if (!subsumes(pattern(later), pattern(earlier))) continue;
        for (const path of paths) {
          if (matches(earlier, path)) expect(matches(later, path), `${later} ⊇ ${earlier} at ${path}`).toBe(true);
        }
      }
    }
  });
});
