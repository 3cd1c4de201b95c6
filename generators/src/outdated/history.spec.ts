import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRepo, type GitRepo } from '@musiccorp/core/testing/git-repo';
import { TemplateHistory } from './history';

/**
 * A history with side branches merged back (one merge differs from both parents in the template, one only from its
 * first), commits that change the template, its partials, another template and no template, and a branch HEAD never
 * merged.
 */
let repo: GitRepo;
const at: Record<string, string> = {};

beforeAll(() => {
  repo = createGitRepo({ 'templates/service/a.ts': '1\n', 'README.md': '1\n' }, 'outdated-history-');
  at.root = repo.commit('root: the template');
  repo.write({ 'README.md': '2\n' });
  at.docs = repo.commit('not the template');
  repo.git('checkout', '-q', '-b', 'side');
  repo.write({ 'templates/service/b.ts': '1\n' });
  at.side = repo.commit('side: the template');
  repo.write({ 'services/x/file.ts': '1\n' });
  at.sideService = repo.commit('side: a service');
  repo.git('checkout', '-q', 'main');
  repo.write({ 'templates/_partials/owner.hbs': '1\n' });
  at.partial = repo.commit('a partial');
  repo.write({ 'templates/other/c.ts': '1\n' });
  at.other = repo.commit('another template');
  repo.git('merge', '-q', '--no-ff', '-m', 'merge side', 'side');
  at.merge = repo.git('rev-parse', 'HEAD').trim();
  repo.git('checkout', '-q', '-b', 'side2');
  repo.write({ 'templates/service/d.ts': '1\n' });
  at.side2 = repo.commit('side2: the template');
  repo.git('checkout', '-q', 'main');
  repo.git('merge', '-q', '--no-ff', '-m', 'merge side2: the template as side2 has it', 'side2');
  at.merge2 = repo.git('rev-parse', 'HEAD').trim();
  repo.write({ 'templates/service/a.ts': '2\n' });
  at.head = repo.commit('the template again');
  repo.git('checkout', '-q', '-b', 'unmerged', at.docs);
  repo.write({ 'templates/service/a.ts': 'x\n' });
  at.unmerged = repo.commit('never merged');
  repo.git('checkout', '-q', 'main');
});
afterAll(() => repo.dispose());

describe('TemplateHistory', () => {
  it('counts, for every commit HEAD descends from, what `git rev-list --count <commit>..HEAD -- <template paths>` does', () => {
    const history = TemplateHistory.read(repo.root);
    expect(history.head).toBe(at.head);
    for (const name of [
      'root',
      'docs',
      'side',
      'sideService',
      'partial',
      'other',
      'merge',
      'side2',
      'merge2',
      'head',
    ]) {
      const commit = at[name]!;
      const expected = Number(
        repo.git('rev-list', '--count', `${commit}..HEAD`, '--', 'templates/service', 'templates/_partials').trim(),
      );
      expect({ name, behind: history.behind(commit, 'service') }).toEqual({ name, behind: expected });
    }
    expect(history.behind(at.root!, 'other')).toBe(2); // templates/other and the partial
  });

  it('finds a commit by sha or unambiguous abbreviation, with its date; not one HEAD does not descend from', () => {
    const history = TemplateHistory.read(repo.root);
    const date = repo.git('log', '-1', '--format=%cI', at.side!).trim();
    expect(history.find(at.side!)).toEqual({ sha: at.side, date });
    expect(history.find(at.side!.slice(0, 10))).toEqual({ sha: at.side, date });
    expect(history.find(at.unmerged!)).toBeUndefined();
    expect(history.find('0'.repeat(40))).toBeUndefined();
    expect(history.find('main')).toBeUndefined();
  });
});
