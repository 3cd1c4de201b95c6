import { afterEach, describe, expect, it } from 'vitest';
import { check, type Finding } from './check';
import { who } from './who';
import { createGitRepo, teamsJson, type GitRepo } from '@musiccorp/core/testing/git-repo';
import { runCli } from './testing/run-cli';

const project = (name: string, team?: string) =>
  `${JSON.stringify({ name, tags: ['type:service', ...(team ? [`team:${team}`] : [])] }, null, 2)}\n`;

/** A small platform-shaped repository whose CODEOWNERS is clean. */
const HEALTHY: Record<string, string> = {
  CODEOWNERS: [
    '# Platform owns everything not claimed below.',
    '* @musiccorp/platform',
    '/services/catalog/ @musiccorp/catalog',
    '/services/payment/ @musiccorp/finance',
    '',
  ].join('\n'),
  'platform/teams.json': teamsJson(['platform', 'catalog', 'finance'], { catalog: ['cat-dev'] }),
  'README.md': '# repo\n',
  'tools/project.json': '{"name": "tools", "tags": ["type:platform"]}\n',
  'tools/src/cli.ts': 'export {};\n',
  'services/catalog/project.json': project('catalog', 'catalog'),
  'services/catalog/src/app.ts': 'export {};\n',
  'services/catalog/docs/api.md': '# api\n',
  'services/payment/project.json': project('payment', 'finance'),
  'services/payment/src/app.ts': 'export {};\n',
};

let repo: GitRepo;
afterEach(() => repo?.dispose());

/** A committed copy of HEALTHY with some files replaced (null deletes). */
function fixture(changes: Record<string, string | null> = {}): GitRepo {
  repo = createGitRepo(HEALTHY);
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) repo.remove(path);
    else repo.write({ [path]: content });
  }
  repo.commit('fixture');
  return repo;
}

const codeowners = (...lines: string[]) => `${lines.join('\n')}\n`;
const brief = (findings: Finding[]) =>
  findings.map(({ kind, file, line, message }) => ({ kind, where: line === null ? file : `${file}:${line}`, message }));

describe('owners check', () => {
  it('is clean on a healthy repository, and the CLI exits 0', async () => {
    fixture();
    const result = await check(repo.root);
    expect(result.findings).toEqual([]);
    expect(result).toMatchObject({
      ok: true,
      codeowners: 'CODEOWNERS',
      stats: { rules: 3, trackedFiles: 10, projects: 3, unownedFiles: 0 },
    });
    const cli = await runCli(['check', '--repo', repo.root]);
    expect(cli).toEqual({
      code: 0,
      stdout: 'owners check: OK — 3 rules in CODEOWNERS, 10 tracked files, 3 Nx projects, every file owned.\n',
      stderr: '',
    });
  });

  it('reports syntax GitHub rejects — "!", "[ ]", "\\#", malformed owners — with file:line and fix', async () => {
    fixture({
      CODEOWNERS: codeowners(
        '* @musiccorp/platform',
        '!/services/catalog/docs/',
        '/services/*.[ch] @musiccorp/catalog',
        '\\#notes.md @musiccorp/platform',
        '/services/catalog/ musiccorp/catalog',
        '/services/payment/ @musiccorp/finance',
      ),
    });
    const result = await check(repo.root);
    expect(brief(result.findings.filter((finding) => finding.kind === 'syntax'))).toEqual([
      { kind: 'syntax', where: 'CODEOWNERS:2', message: expect.stringContaining('negation with "!" is not supported') },
      {
        kind: 'syntax',
        where: 'CODEOWNERS:3',
        message: expect.stringContaining('character ranges "[ ]" are not supported'),
      },
      {
        kind: 'syntax',
        where: 'CODEOWNERS:4',
        message: expect.stringContaining('escaping "#" with "\\" is not supported'),
      },
      {
        kind: 'syntax',
        where: 'CODEOWNERS:5',
        message: 'malformed owner "musiccorp/catalog" (GitHub skips this line)',
      },
    ]);
    expect(result.findings.find((finding) => finding.line === 5)!.fix).toBe('write the team as "@musiccorp/catalog"');
    // The skipped line 5 leaves services/catalog to the catch-all, which the project tag check notices.
    expect(brief(result.findings.filter((finding) => finding.kind === 'project-team'))).toEqual([
      {
        kind: 'project-team',
        where: 'services/catalog/project.json',
        message: 'Nx project "catalog" is tagged team:catalog but CODEOWNERS gives it to @musiccorp/platform',
      },
    ]);
    const cli = await runCli(['check', '--repo', repo.root]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(
      'CODEOWNERS:5: malformed owner "musiccorp/catalog" (GitHub skips this line)\n    fix: write the team as "@musiccorp/catalog"\n',
    );
    expect(cli.stdout).toMatch(
      /owners check: 5 problems — 2 rules in CODEOWNERS, 10 tracked files, 3 Nx projects\.\n$/,
    );
  });

  it('reports owners the registry does not know: teams, users outside every team, emails', async () => {
    fixture({
      CODEOWNERS: codeowners(
        '* @musiccorp/platform',
        '/services/catalog/ @musiccorp/catalogue @cat-dev',
        '/services/payment/ @musiccorp/finance @stranger payments@musiccorp.example',
        '/tools/ @musiccorp/platform @other-org/tools',
      ),
    });
    const result = await check(repo.root);
    expect(result.findings.map(({ kind, line, message, fix }) => ({ kind, line, message, fix }))).toEqual([
      {
        kind: 'unknown-owner',
        line: 2,
        message: 'team @musiccorp/catalogue is not in platform/teams.json',
        fix: 'did you mean @musiccorp/catalog? Otherwise register the team in platform/teams.json',
      },
      {
        kind: 'unknown-owner',
        line: 3,
        message: 'user @stranger is not a member of any team in platform/teams.json',
        fix: expect.stringContaining('add stranger to a team\'s "members"'),
      },
      {
        kind: 'unknown-owner',
        line: 3,
        message: expect.stringContaining('email owner payments@musiccorp.example cannot be checked'),
        fix: expect.stringContaining('use the team handle'),
      },
      {
        kind: 'unknown-owner',
        line: 4,
        message: 'team @other-org/tools is not in platform/teams.json',
        fix: expect.stringContaining('register the team'),
      },
      // the catalog project is now owned by a team that does not exist
      {
        kind: 'project-team',
        line: null,
        message: expect.stringContaining(
          'tagged team:catalog but CODEOWNERS gives it to @musiccorp/catalogue @cat-dev',
        ),
        fix: expect.any(String),
      },
    ]);
  });

  it('reports an invalid registry naming the entry and field, and a missing one', async () => {
    const teams = JSON.parse(teamsJson(['platform', 'catalog', 'finance'])) as {
      teams: { handle: string; members: unknown }[];
    };
    teams.teams[1]!.handle = '@musiccorp/catalogue';
    teams.teams[2]!.members = 'finance-lead';
    fixture({ 'platform/teams.json': JSON.stringify(teams, null, 2) });
    let result = await check(repo.root);
    expect(brief(result.findings)).toEqual([
      {
        kind: 'registry',
        where: 'platform/teams.json:14',
        message: 'teams[1] ("catalog").handle must be "@musiccorp/catalog" (got "@musiccorp/catalogue")',
      },
      {
        kind: 'registry',
        where: 'platform/teams.json:25',
        message: 'teams[2] ("finance").members must be an array (got "finance-lead")',
      },
    ]);
    repo.dispose();
    fixture({ 'platform/teams.json': null });
    result = await check(repo.root);
    expect(brief(result.findings)).toEqual([{ kind: 'registry', where: 'platform/teams.json', message: 'is missing' }]);
  });

  it('reports patterns that match no tracked file (untracked files do not count)', async () => {
    fixture({
      CODEOWNERS: `${HEALTHY['CODEOWNERS']}/services/gone/ @musiccorp/catalog\n/Services/catalog/ @musiccorp/catalog\n/scratch/ @musiccorp/platform\n`,
    });
    repo.write({ 'scratch/untracked.txt': 'x' });
    const result = await check(repo.root);
    expect(brief(result.findings)).toEqual([
      { kind: 'no-match', where: 'CODEOWNERS:5', message: '"/services/gone/" matches no tracked file' },
      { kind: 'no-match', where: 'CODEOWNERS:6', message: '"/Services/catalog/" matches no tracked file' },
      { kind: 'no-match', where: 'CODEOWNERS:7', message: '"/scratch/" matches no tracked file' },
    ]);
    expect(result.findings[1]!.fix).toContain('case-sensitive');
    // Right after `nx g service`, the new folder's line waits for a commit: the fix is `git add`, not removing it.
    expect(result.findings[2]!.fix).toBe(
      'git add scratch — the line matches 1 new file git does not track yet, and GitHub applies CODEOWNERS to committed files only',
    );
  });

  it('reports duplicated patterns, also when written differently, at the later line', async () => {
    fixture({
      CODEOWNERS: codeowners(
        '* @musiccorp/platform',
        '/services/catalog/ @musiccorp/platform',
        '/services/payment/ @musiccorp/finance',
        '/services/catalog/ @musiccorp/catalog',
        'tools/src @musiccorp/platform',
        '/tools/src @musiccorp/platform',
      ),
    });
    const result = await check(repo.root);
    expect(result.findings.map(({ kind, line, message, fix }) => ({ kind, line, message, fix }))).toEqual([
      {
        kind: 'duplicate',
        line: 4,
        message: `"/services/catalog/" repeats the pattern of line 2; only this line applies, so line 2's owners (@musiccorp/platform) never do`,
        fix: 'keep one line with all the owners meant: "/services/catalog/ @musiccorp/platform @musiccorp/catalog"',
      },
      {
        kind: 'duplicate',
        line: 6,
        message: `"/tools/src" is the same pattern as "tools/src" of line 5; only this line applies, so line 5's owners (@musiccorp/platform) never do`,
        fix: 'keep one line with all the owners meant: "/tools/src @musiccorp/platform"',
      },
    ]);
  });

  it('reports rules shadowed by later rules, syntactically (a catch-all below, a parent folder below)', async () => {
    fixture({
      CODEOWNERS: codeowners(
        '/tools/ @musiccorp/platform',
        '* @musiccorp/platform',
        '/services/catalog/src/ @musiccorp/finance',
        '/services/catalog/ @musiccorp/catalog',
        '/services/payment/ @musiccorp/finance',
      ),
    });
    const result = await check(repo.root);
    expect(result.findings.map(({ kind, line, message, fix }) => ({ kind, line, message, fix }))).toEqual([
      {
        kind: 'shadowed',
        line: 1,
        message: '"/tools/" can never win: line 2 ("*") matches every path it matches, and the last match wins',
        fix: 'move this line below line 2, or remove it',
      },
      {
        kind: 'shadowed',
        line: 3,
        message:
          '"/services/catalog/src/" can never win: line 4 ("/services/catalog/") matches every path it matches, and the last match wins',
        fix: 'move this line below line 4, or remove it',
      },
    ]);
  });

  it("is clean with a service's platform-owned paths co-owned after its folder, as the CODEOWNERS generator writes them", async () => {
    const catalog = [
      '/services/catalog/ @musiccorp/catalog', // 3
      '/services/catalog/Dockerfile @musiccorp/catalog @musiccorp/platform', // 4: a platform-owned file
      '/services/catalog/src/chassis/ @musiccorp/catalog @musiccorp/platform', // 5: a folder only the platform renders
    ];
    const chassis = {
      'services/catalog/Dockerfile': 'FROM node\n',
      'services/catalog/src/chassis/app.ts': 'export {};\n',
      'services/catalog/src/chassis/health/probe.ts': 'export {};\n',
    };
    fixture({
      CODEOWNERS: codeowners('* @musiccorp/platform', '/services/payment/ @musiccorp/finance', ...catalog),
      ...chassis,
    });
    const result = await check(repo.root);
    expect(result.findings).toEqual([]);
    expect(result.stats).toMatchObject({ rules: 5, unownedFiles: 0 });
    const owners = (path: string) => who(repo.root, [path]).entries[0]?.owners;
    for (const path of Object.keys(chassis))
      expect(owners(path), path).toEqual(['@musiccorp/catalog', '@musiccorp/platform']);
    for (const path of ['services/catalog/src/app.ts', 'services/catalog/project.json', 'services/catalog/docs/api.md'])
      expect(owners(path), path).toEqual(['@musiccorp/catalog']);

    // Above the folder rule they would never win (the last match does), and check says so.
    repo.dispose();
    fixture({
      CODEOWNERS: codeowners(
        '* @musiccorp/platform',
        '/services/payment/ @musiccorp/finance',
        catalog[1]!,
        catalog[2]!,
        catalog[0]!,
      ),
      ...chassis,
    });
    expect(brief((await check(repo.root)).findings)).toEqual([
      {
        kind: 'shadowed',
        where: 'CODEOWNERS:3',
        message:
          '"/services/catalog/Dockerfile" can never win: line 5 ("/services/catalog/") matches every path it matches, and the last match wins',
      },
      {
        kind: 'shadowed',
        where: 'CODEOWNERS:4',
        message:
          '"/services/catalog/src/chassis/" can never win: line 5 ("/services/catalog/") matches every path it matches, and the last match wins',
      },
    ]);
  });

  it('reports rules that never win against the tracked files, naming the rules that do', async () => {
    fixture({
      CODEOWNERS: codeowners(
        '* @musiccorp/platform',
        '*.ts @musiccorp/finance',
        '/services/catalog/ @musiccorp/catalog',
        '/services/payment/ @musiccorp/finance',
        '/tools/ @musiccorp/platform',
      ),
    });
    const result = await check(repo.root);
    expect(result.findings.map(({ kind, line, message, fix }) => ({ kind, line, message, fix }))).toEqual([
      {
        kind: 'shadowed',
        line: 2,
        message:
          '"*.ts" never wins: all 3 tracked files it matches are owned by later rules: line 3 (1 file), line 4 (1 file), line 5 (1 file)',
        fix: 'move this line below line 5 if it should win, or remove it',
      },
    ]);
  });

  it('reports unowned tracked files grouped by folder, and unowned Nx projects', async () => {
    fixture({
      CODEOWNERS: codeowners('/services/catalog/ @musiccorp/catalog', '/services/payment/src/ @musiccorp/finance'),
    });
    const result = await check(repo.root);
    expect(brief(result.findings)).toEqual([
      {
        kind: 'unowned-project',
        where: 'services/payment/project.json',
        message: 'Nx project "payment" (services/payment/) has no owner',
      },
      { kind: 'unowned-project', where: 'tools/project.json', message: 'Nx project "tools" (tools/) has no owner' },
      { kind: 'unowned-files', where: 'CODEOWNERS', message: 'has no owner (no rule matches)' },
      { kind: 'unowned-files', where: 'README.md', message: 'has no owner (no rule matches)' },
      {
        kind: 'unowned-files',
        where: 'platform/',
        message: 'no tracked file in this folder has an owner (1 file; no rule matches)',
      },
      { kind: 'unowned-files', where: 'services/payment/project.json', message: 'has no owner (no rule matches)' },
      {
        kind: 'unowned-files',
        where: 'tools/',
        message: 'no tracked file in this folder has an owner (2 files; no rule matches)',
      },
    ]);
    expect(result.findings[0]!.fix).toBe('add "/services/payment/ @musiccorp/finance" to CODEOWNERS');
    expect(result.findings[6]!.fix).toBe(
      'add "/tools/ @musiccorp/<team>" to CODEOWNERS (or a catch-all "* @musiccorp/<team>" at the top)',
    );
    expect(result.stats.unownedFiles).toBe(6);
  });

  it('names the ownerless rule that leaves files unowned (GitHub allows it; the platform does not)', async () => {
    fixture({ CODEOWNERS: `${HEALTHY['CODEOWNERS']}/services/catalog/docs/\n` });
    const result = await check(repo.root);
    expect(result.findings).toEqual([
      {
        kind: 'unowned-files',
        file: 'services/catalog/docs/',
        line: null,
        message:
          'no tracked file in this folder has an owner (1 file; CODEOWNERS:5 ("/services/catalog/docs/") has no owners)',
        fix: 'give CODEOWNERS:5 an owner, or add a later rule "/services/catalog/docs/ @musiccorp/<team>"',
      },
    ]);
  });

  it('reports a CODEOWNERS that GitHub ignores because an earlier location exists', async () => {
    fixture({ '.github/CODEOWNERS': HEALTHY['CODEOWNERS']!, CODEOWNERS: '* @musiccorp/catalog\n' });
    const result = await check(repo.root);
    expect(result.codeowners).toBe('.github/CODEOWNERS');
    expect(brief(result.findings)).toEqual([
      {
        kind: 'ignored-codeowners',
        where: 'CODEOWNERS',
        message:
          'GitHub ignores this file because .github/CODEOWNERS comes first (.github/, then the root, then docs/)',
      },
    ]);
  });

  it('reports a missing CODEOWNERS once, and the whole repository as unowned', async () => {
    fixture({ CODEOWNERS: null });
    const result = await check(repo.root);
    expect(brief(result.findings)).toEqual([
      {
        kind: 'no-codeowners',
        where: 'CODEOWNERS',
        message: 'no CODEOWNERS file in .github/, the root or docs/: nothing has an owner',
      },
      {
        kind: 'unowned-project',
        where: 'services/catalog/project.json',
        message: 'Nx project "catalog" (services/catalog/) has no owner',
      },
      {
        kind: 'unowned-project',
        where: 'services/payment/project.json',
        message: 'Nx project "payment" (services/payment/) has no owner',
      },
      { kind: 'unowned-project', where: 'tools/project.json', message: 'Nx project "tools" (tools/) has no owner' },
      { kind: 'unowned-files', where: '.', message: 'no tracked file has an owner (9 files; no rule matches)' },
    ]);
  });

  it('--json prints the whole result', async () => {
    fixture({ CODEOWNERS: `${HEALTHY['CODEOWNERS']}/nowhere/ @musiccorp/platform\n` });
    const cli = await runCli(['check', '--json', '--repo', repo.root]);
    expect(cli.code).toBe(1);
    expect(JSON.parse(cli.stdout)).toEqual({
      ok: false,
      codeowners: 'CODEOWNERS',
      stats: { rules: 4, trackedFiles: 10, projects: 3, unownedFiles: 0 },
      findings: [
        {
          kind: 'no-match',
          file: 'CODEOWNERS',
          line: 5,
          message: '"/nowhere/" matches no tracked file',
          fix: expect.any(String),
        },
      ],
    });
  });
});
