import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reviewers } from './reviewers';
import { cloneGitRepo, createGitRepo, type GitRepo } from '@musiccorp/core/testing/git-repo';
import { runCli } from './testing/run-cli';

const CODEOWNERS = [
  '* @musiccorp/platform', // 1
  '/services/catalog/ @musiccorp/catalog', // 2
  '/services/payment/ @musiccorp/finance', // 3
  '/services/shared/ @musiccorp/catalog @musiccorp/finance', // 4: either team may approve
  '/services/catalog/generated/', // 5: unowned
  '',
].join('\n');

let repo: GitRepo;
afterEach(() => repo?.dispose());

/**
 * main: the base. feature: adds, modifies, deletes and renames (across owners), and edits CODEOWNERS to grab
 * everything — which must not count, since GitHub reads CODEOWNERS from the base.
 */
function branchedRepo(): GitRepo {
  repo = createGitRepo({
    CODEOWNERS,
    'README.md': 'readme\n',
    'services/catalog/src/app.ts': 'catalog app\n',
    'services/catalog/src/old-name.ts': 'a file that is moved unchanged, long enough for rename detection\n'.repeat(3),
    'services/catalog/generated/types.ts': 'generated\n',
    'services/payment/src/app.ts': 'payment app\n',
    'services/payment/src/legacy.ts': 'legacy\n',
    'services/shared/contract.ts': 'contract\n',
  });
  repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');
  repo.write({
    'services/catalog/src/app.ts': 'catalog app v2\n', // M
    'services/payment/src/new.ts': 'new\n', // A
    'README.md': 'readme v2\n', // M
    'services/catalog/generated/types.ts': 'generated v2\n', // M, unowned
    'services/shared/contract.ts': 'contract v2\n', // M, two owners
    CODEOWNERS: '* @musiccorp/intruder\n', // M: ignored for this PR
  });
  repo.remove('services/payment/src/legacy.ts'); // D
  repo.move('services/catalog/src/old-name.ts', 'services/payment/src/new-name.ts'); // R: catalog → finance
  repo.commit('feature work');
  return repo;
}

describe('owners reviewers', () => {
  it('lists approvals per owner group with their files (renames under both paths) and the unowned files', () => {
    branchedRepo();
    const result = reviewers({ repo: repo.root, base: 'main', head: 'feature' });
    expect(result.codeowners).toBe('CODEOWNERS');
    expect(result.changes).toEqual([
      { status: 'M', path: 'CODEOWNERS' },
      { status: 'M', path: 'README.md' },
      { status: 'M', path: 'services/catalog/generated/types.ts' },
      { status: 'M', path: 'services/catalog/src/app.ts' },
      { status: 'D', path: 'services/payment/src/legacy.ts' },
      { status: 'R', path: 'services/payment/src/new-name.ts', oldPath: 'services/catalog/src/old-name.ts' },
      { status: 'A', path: 'services/payment/src/new.ts' },
      { status: 'M', path: 'services/shared/contract.ts' },
    ]);
    expect(result.approvals).toEqual([
      { owners: ['@musiccorp/catalog'], files: ['services/catalog/src/app.ts', 'services/catalog/src/old-name.ts'] },
      { owners: ['@musiccorp/catalog', '@musiccorp/finance'], files: ['services/shared/contract.ts'] },
      {
        owners: ['@musiccorp/finance'],
        files: ['services/payment/src/legacy.ts', 'services/payment/src/new-name.ts', 'services/payment/src/new.ts'],
      },
      { owners: ['@musiccorp/platform'], files: ['CODEOWNERS', 'README.md'] },
    ]);
    expect(result.unowned).toEqual(['services/catalog/generated/types.ts']);
  });

  it('--json prints exactly the documented shape', async () => {
    branchedRepo();
    const base = repo.git('rev-parse', 'main').trim();
    const head = repo.git('rev-parse', 'feature').trim();
    const cli = await runCli(['reviewers', '--base=main', '--head=feature', '--json', '--repo', repo.root]);
    expect(cli.code).toBe(0);
    const json = JSON.parse(cli.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual([
      'base',
      'head',
      'baseCommit',
      'headCommit',
      'codeowners',
      'approvals',
      'unowned',
      'changes',
      'files',
    ]);
    expect(json).toMatchObject({
      base: 'main',
      head: 'feature',
      baseCommit: base,
      headCommit: head,
      codeowners: 'CODEOWNERS',
      unowned: ['services/catalog/generated/types.ts'],
    });
    expect(json['files']).toStrictEqual([
      { path: 'CODEOWNERS', owners: ['@musiccorp/platform'], line: 1 },
      { path: 'README.md', owners: ['@musiccorp/platform'], line: 1 },
      { path: 'services/catalog/generated/types.ts', owners: [], line: null },
      { path: 'services/catalog/src/app.ts', owners: ['@musiccorp/catalog'], line: 2 },
      { path: 'services/payment/src/legacy.ts', owners: ['@musiccorp/finance'], line: 3 },
      { path: 'services/catalog/src/old-name.ts', owners: ['@musiccorp/catalog'], line: 2 },
      { path: 'services/payment/src/new-name.ts', owners: ['@musiccorp/finance'], line: 3 },
      { path: 'services/payment/src/new.ts', owners: ['@musiccorp/finance'], line: 3 },
      { path: 'services/shared/contract.ts', owners: ['@musiccorp/catalog', '@musiccorp/finance'], line: 4 },
    ]);
    expect((json['approvals'] as unknown[])[0]).toStrictEqual({
      owners: ['@musiccorp/catalog'],
      files: ['services/catalog/src/app.ts', 'services/catalog/src/old-name.ts'],
    });
  });

  it('defaults --head to HEAD and compares from the merge base, like a pull request', () => {
    branchedRepo();
    // main moves on after the branch point: its own changes are not part of the PR's diff.
    repo.git('checkout', '-q', 'main');
    repo.write({ 'services/catalog/src/later-on-main.ts': 'x\n' });
    repo.commit('main moves on');
    repo.git('checkout', '-q', 'feature');
    const result = reviewers({ repo: repo.root, base: 'main' });
    expect(result.head).toBe('HEAD');
    expect(result.changes.map((change) => change.path)).not.toContain('services/catalog/src/later-on-main.ts');
    expect(result.changes).toHaveLength(8);
  });

  it('uses the CODEOWNERS of the base branch as it is now, not of the head nor of the merge base', () => {
    branchedRepo();
    // After the branch point, main hands the catalog service to another team: the open PR follows main's file.
    repo.git('checkout', '-q', 'main');
    repo.write({
      CODEOWNERS: CODEOWNERS.replace(
        '/services/catalog/ @musiccorp/catalog',
        '/services/catalog/ @musiccorp/discovery',
      ),
    });
    repo.commit('catalog moves to discovery');
    repo.git('checkout', '-q', 'feature');
    const result = reviewers({ repo: repo.root, base: 'main' });
    expect(result.approvals.map((approval) => approval.owners.join(' '))).toEqual([
      '@musiccorp/catalog @musiccorp/finance',
      '@musiccorp/discovery',
      '@musiccorp/finance',
      '@musiccorp/platform',
    ]);
    expect(result.approvals.flatMap((approval) => approval.owners)).not.toContain('@musiccorp/intruder');
  });

  it('finds CODEOWNERS in .github/ at the base before the root one', () => {
    repo = createGitRepo({
      '.github/CODEOWNERS': '* @musiccorp/catalog\n',
      CODEOWNERS: '* @musiccorp/platform\n',
      'a.txt': 'a\n',
    });
    repo.commit('base');
    repo.write({ 'a.txt': 'b\n' });
    repo.commit('change');
    const result = reviewers({ repo: repo.root, base: 'HEAD~1' });
    expect(result.codeowners).toBe('.github/CODEOWNERS');
    expect(result.approvals).toEqual([{ owners: ['@musiccorp/catalog'], files: ['a.txt'] }]);
  });

  it('treats everything as unowned when the base has no CODEOWNERS, and says so on stderr', async () => {
    repo = createGitRepo({ 'a.txt': 'a\n' });
    repo.commit('base');
    repo.write({ 'a.txt': 'b\n', CODEOWNERS: '* @musiccorp/platform\n' });
    repo.commit('adds CODEOWNERS');
    const cli = await runCli(['reviewers', '--base=HEAD~1', '--json', '--repo', repo.root]);
    expect(JSON.parse(cli.stdout)).toMatchObject({ codeowners: null, approvals: [], unowned: ['CODEOWNERS', 'a.txt'] });
    expect(cli.stderr).toContain('the base has no CODEOWNERS file');
  });

  it('prints a readable summary', async () => {
    branchedRepo();
    const cli = await runCli(['reviewers', '--base=main', '--head=feature', '--repo', repo.root]);
    expect(cli.stdout).toContain(
      'Approvals needed (4):\n  @musiccorp/catalog — 2 files\n      services/catalog/src/app.ts\n',
    );
    expect(cli.stdout).toContain('  one of @musiccorp/catalog, @musiccorp/finance — 1 file\n');
    expect(cli.stdout).toContain(
      'Unowned (1): any reviewer with write access can approve these.\n      services/catalog/generated/types.ts\n',
    );
  });

  it('gives repo-relative paths when --repo is a subfolder of the work tree', () => {
    branchedRepo();
    const fromRoot = reviewers({ repo: repo.root, base: 'main', head: 'feature' });
    const fromSubfolder = reviewers({ repo: join(repo.root, 'services', 'payment'), base: 'main', head: 'feature' });
    expect(fromSubfolder.files).toEqual(fromRoot.files);
  });

  it('exits 2 outside a git repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'owners-not-a-repo-'));
    try {
      expect(await runCli(['reviewers', '--base=main', '--repo', dir])).toMatchObject({
        code: 2,
        stderr: expect.stringContaining('is not inside a git work tree'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 on a missing --base or an unknown ref', async () => {
    branchedRepo();
    expect(await runCli(['reviewers', '--repo', repo.root])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('needs --base=<ref>'),
    });
    expect(await runCli(['reviewers', '--base=nope', '--repo', repo.root])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--base=nope is not a commit'),
    });
    expect(await runCli(['reviewers', '--base=main', '--head=nope', '--repo', repo.root])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--head=nope is not a commit'),
    });
    expect(await runCli(['reviewers', '--base=main', '--head=', '--repo', repo.root])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--head is empty'),
    });
  });

  it('names the fetch that brings a remote-tracking --base the clone lacks, or says the remote has no such branch', async () => {
    branchedRepo();
    const clone = cloneGitRepo(repo, { singleBranch: true }); // a CI checkout: only main, no origin/feature
    try {
      const missing = await runCli(['reviewers', '--base=origin/feature', '--repo', clone.root]);
      expect(missing).toMatchObject({ code: 2 });
      expect(missing.stderr).toContain(
        '--base=origin/feature is not a commit in this clone. Fix: fetch it (`git fetch origin feature:refs/remotes/origin/feature`)',
      );
      clone.git('fetch', '-q', 'origin', 'feature:refs/remotes/origin/feature');
      expect(await runCli(['reviewers', '--base=origin/feature', '--repo', clone.root])).toMatchObject({ code: 0 });
      const noBranch = await runCli(['reviewers', '--base=origin/zzz', '--repo', clone.root]);
      expect(noBranch).toMatchObject({ code: 2 });
      expect(noBranch.stderr).toContain(
        '--base=origin/zzz is not a commit in this clone, and origin has no branch zzz',
      );
      expect(noBranch.stderr).not.toContain('git fetch');
    } finally {
      clone.dispose();
    }
  });
});
