import { describe, expect, it } from 'vitest';
import { parseCodeowners } from './codeowners-file';
import { normalizePath, OwnersMatcher } from './matcher';

const ownersOf = (codeowners: string, path: string) =>
  new OwnersMatcher(parseCodeowners(codeowners).rules).match(path).owners;

/** The example file of GitHub's "About code owners" page, rule for rule. */
const GITHUB_EXAMPLE = `# This is a comment.
*       @global-owner1 @global-owner2
*.js    @js-owner #This is an inline comment.
*.go docs@example.com
*.txt @octo-org/octocats
/build/logs/ @doctocat
docs/* docs@example.com
apps/ @octocat
/docs/ @doctocat
/scripts/ @doctocat @octocat
**/logs @octocat
/apps/ @octocat
/apps/github
`;

describe('GitHub precedence: the last matching pattern wins', () => {
  it.each([
    // "*" then "*.js": only @js-owner for JS files, the global owners for the rest
    ['README.md', ['@global-owner1', '@global-owner2']],
    ['src/index.js', ['@js-owner']],
    ['main.go', ['docs@example.com']],
    ['notes.txt', ['@octo-org/octocats']],
    // "/build/logs/": @doctocat... until "**/logs" (later) claims every logs folder
    ['build/logs/today.log', ['@octocat']],
    ['build/output.bin', ['@global-owner1', '@global-owner2']],
    // "docs/*" then "/docs/": the later /docs/ rule wins for direct and nested files alike
    ['docs/getting-started.md', ['@doctocat']],
    ['docs/build-app/troubleshooting.md', ['@doctocat']],
    // "apps/" anywhere
    ['services/apps/x.ts', ['@octocat']],
    // "/scripts/": several owners, any of whom may approve
    ['scripts/deploy.sh', ['@doctocat', '@octocat']],
    ['scripts/deploy.js', ['@doctocat', '@octocat']],
    ['deeply/nested/logs/x.txt', ['@octocat']],
    // "/apps/ @octocat" then "/apps/github" with no owners: apps/github is unowned
    ['apps/web/index.html', ['@octocat']],
    ['apps/github/index.html', []],
    ['apps/github', []],
  ])('%s → %j', (path, owners) => {
    expect(ownersOf(GITHUB_EXAMPLE, path)).toEqual(owners);
  });

  it('"docs/*" gives docs/a.md but not docs/x/b.md when it is the last rule', () => {
    const file = '* @all\ndocs/* @docs\n';
    expect(ownersOf(file, 'docs/a.md')).toEqual(['@docs']);
    expect(ownersOf(file, 'docs/x/b.md')).toEqual(['@all']);
  });

  it('"*.js" then "/docs/": the folder rule wins for JS files in docs, "*.js" elsewhere', () => {
    const file = '*.js @js\n/docs/ @docs\n';
    expect(ownersOf(file, 'docs/app.js')).toEqual(['@docs']);
    expect(ownersOf(file, 'src/app.js')).toEqual(['@js']);
    expect(ownersOf(file, 'src/app.ts')).toEqual([]);
  });

  it('"/docs/" then "*.js": the extension rule wins inside docs too', () => {
    const file = '/docs/ @docs\n*.js @js\n';
    expect(ownersOf(file, 'docs/app.js')).toEqual(['@js']);
    expect(ownersOf(file, 'docs/readme.md')).toEqual(['@docs']);
  });

  it('"/apps/ @octocat" then "/apps/github @doctocat": the subfolder has its own owner', () => {
    const file = '/apps/ @octocat\n/apps/github @doctocat\n';
    expect(ownersOf(file, 'apps/github/a.ts')).toEqual(['@doctocat']);
    expect(ownersOf(file, 'apps/other/a.ts')).toEqual(['@octocat']);
  });

  it('a skipped (invalid) line does not take part: the earlier rule still applies', () => {
    const file = '* @all\n!/docs/ @nobody\n/docs/*.[md] @docs\n';
    expect(ownersOf(file, 'docs/a.md')).toEqual(['@all']);
  });

  it('with no rules, nothing is owned', () => {
    expect(new OwnersMatcher([]).match('a/b')).toEqual({ rule: null, owners: [] });
  });
});

describe('OwnersMatcher indexes', () => {
  /** The naive definition: scan every rule from the bottom, first match wins. */
  const naive = (codeowners: string, path: string) => {
    const rules = parseCodeowners(codeowners).rules;
    for (let i = rules.length - 1; i >= 0; i--) if (rules[i]!.pattern.regex.test(path)) return rules[i]!.line;
    return null;
  };

  it('agree with a reverse scan of every rule, on random rule sets and paths', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const names = ['a', 'b', 'svc-1', 'logs', 'apps', 'x.js', 'y.ts', 'docs'];
    const pick = () => names[random(names.length)]!;
    const shapes = [
      () => `/${pick()}/`,
      () => `/${pick()}/${pick()}/`,
      () => `/${pick()}/${pick()}`,
      () => `${pick()}/`,
      () => pick(),
      () => `*.${['js', 'ts'][random(2)]}`,
      () => `/${pick()}/*`,
      () => `**/${pick()}`,
      () => `/${pick()}/**/${pick()}`,
      () => `${pick()}/${pick()}/`,
      () => '*',
      () => `/${pick()}/*.ts`,
    ];
    for (let round = 0; round < 40; round++) {
      const lines = Array.from({ length: 1 + random(25) }, (_, i) => `${shapes[random(shapes.length)]!()} @o${i}`);
      const codeowners = lines.join('\n');
      const matcher = new OwnersMatcher(parseCodeowners(codeowners).rules);
      for (let p = 0; p < 60; p++) {
        const path = Array.from({ length: 1 + random(4) }, pick).join('/');
        expect(matcher.match(path).rule?.line ?? null, `${path} in\n${codeowners}`).toBe(naive(codeowners, path));
        expect(matcher.matchAll(path).map((rule) => rule.line)).toEqual(
          parseCodeowners(codeowners)
            .rules.filter((rule) => rule.pattern.regex.test(path))
            .map((rule) => rule.line)
            .reverse(),
        );
      }
    }
  });
});

describe('normalizePath', () => {
  it.each([
    ['./services/a.ts', 'services/a.ts'],
    ['/services/a.ts', 'services/a.ts'],
    ['services//x/../a.ts', 'services/a.ts'],
    ['docs/', 'docs'],
  ])('%s → %s', (input, output) => {
    expect(normalizePath(input)).toBe(output);
  });
});
