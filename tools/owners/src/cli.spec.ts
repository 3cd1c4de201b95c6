import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { createGitRepo, teamsJson, type GitRepo } from '@musiccorp/core/testing/git-repo';

// Colour settings inherited from the test runner would make node warn on stderr; the CLI's own output is what's tested.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'FORCE_COLOR' && name !== 'NO_COLOR'),
);

/** What `npm run owners -- …` runs: `node --import tsx tools/owners/src/cli.ts …`, as a real process. */
function owners(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(WORKSPACE_ROOT, 'tools/owners/src/cli.ts'), ...args],
    {
      cwd: WORKSPACE_ROOT,
      encoding: 'utf8',
      env,
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let repo: GitRepo;
beforeAll(() => {
  repo = createGitRepo({
    CODEOWNERS: '* @musiccorp/platform\n/services/catalog/ @musiccorp/catalog\n',
    'platform/teams.json': teamsJson(['platform', 'catalog']),
    'services/catalog/src/app.ts': 'export {};\n',
  });
  repo.commit('base');
});
afterAll(() => repo.dispose());

describe('owners CLI process', () => {
  it('who --json: exit 0 and only the JSON on stdout', () => {
    const result = owners('who', '--json', '--repo', repo.root, 'services/catalog/src/app.ts', 'README.md');
    expect(result).toEqual({
      code: 0,
      stdout:
        '[{"path":"services/catalog/src/app.ts","owners":["@musiccorp/catalog"],"line":2},{"path":"README.md","owners":["@musiccorp/platform"],"line":1}]\n',
      stderr: '',
    });
  });

  it('check: exit 0 when clean, 1 with problems', () => {
    expect(owners('check', '--repo', repo.root).code).toBe(0);
    repo.write({ CODEOWNERS: '* @musiccorp/platform\n/services/catalog/ @musiccorp/catalogue\n' });
    const result = owners('check', '--repo', repo.root);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'CODEOWNERS:2: team @musiccorp/catalogue is not in platform/teams.json\n    fix: did you mean @musiccorp/catalog?',
    );
    repo.git('checkout', '--', 'CODEOWNERS');
  });

  it('exit 2 with usage on bad arguments', () => {
    const result = owners('reviewers', '--bogus');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Usage:\n  npm run owners -- check');
    expect(owners('--help')).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('npm run owners -- reviewers --base=<ref>'),
    });
  });
});
