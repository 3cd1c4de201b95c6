import { afterAll, describe, expect, it } from 'vitest';
import { GitMergeFile } from './merge-file';
import { planUpgrade, type PlanOutcome, type UpgradeInput } from './plan';

const merger = new GitMergeFile();
afterAll(() => merger.dispose());

const files = (entries: Record<string, string>) =>
  Object.entries(entries).map(([path, content]) => ({ path, content: Buffer.from(content) }));

/** Plans with old and new renders, the service's files (null: deleted), teamOwned the same in both revisions. */
function plan(
  old: Record<string, string>,
  next: Record<string, string>,
  service: Record<string, string | null>,
  extra: Partial<UpgradeInput> = {},
) {
  const teamOwned = ['team/**'];
  const current = { ...old, ...service };
  return planUpgrade({
    old: { files: files(old), teamOwned },
    next: { files: files(next), teamOwned },
    renames: new Map(),
    read: (path) => (typeof current[path] === 'string' ? Buffer.from(current[path]) : null),
    merge: merger.merge,
    labels: () => ({ ours: 'svc (yours)', base: 'template old', theirs: 'template new' }),
    ...extra,
  });
}

/** The plan with contents as strings; a refusal fails the test. */
function planned(outcome: PlanOutcome) {
  if (!('plan' in outcome)) throw new Error(`refused: ${JSON.stringify(outcome.refused)}`);
  return {
    ...outcome.plan,
    changes: outcome.plan.changes.map((change) =>
      'content' in change ? { ...change, content: change.content.toString() } : change,
    ),
  };
}

describe('planUpgrade', () => {
  it('plans nothing when neither the template nor the team changed a file', () => {
    expect(planned(plan({ 'a.ts': 'a\n', 'team/b.md': 'b\n' }, { 'a.ts': 'a\n', 'team/b.md': 'b\n' }, {}))).toEqual({
      changes: [],
      kept: [],
      notRecreated: [],
    });
  });

  it('refuses a missing platform-owned file (drift), and plans nothing', () => {
    expect(plan({ 'a.ts': 'a\n' }, { 'a.ts': 'a2\n' }, { 'a.ts': null })).toEqual({
      refused: { drift: [{ file: 'a.ts', problem: 'missing' }], nowPlatformOwned: [] },
    });
  });

  it('an added file the team already has with the same content is no change; with other content, a conflict', () => {
    expect(planned(plan({}, { 'team/new.md': 'same\n' }, { 'team/new.md': 'same\n' })).changes).toEqual([]);
    const [change] = planned(plan({}, { 'team/new.md': 'template\n' }, { 'team/new.md': 'ours\n' })).changes;
    expect(change).toEqual({
      kind: 'conflicted',
      path: 'team/new.md',
      conflicts: 1,
      content: '<<<<<<< svc (yours)\nours\n=======\ntemplate\n>>>>>>> template new\n',
    });
  });

  it('does not follow a rename onto a path the team already uses: a removal and an added-file conflict instead', () => {
    const outcome = plan(
      { 'team/old.md': 'notes\n' },
      { 'team/new.md': 'notes\n' },
      { 'team/new.md': 'our own file\n' },
      { renames: new Map([['team/old.md', 'team/new.md']]) },
    );
    expect(planned(outcome).changes).toEqual([
      expect.objectContaining({ kind: 'conflicted', path: 'team/new.md' }),
      { kind: 'removed', path: 'team/old.md' },
    ]);
  });

  it('a platform-owned rename moves the file, whatever its content', () => {
    const outcome = plan({ 'a.ts': 'a\n' }, { 'b.ts': 'a\n' }, {}, { renames: new Map([['a.ts', 'b.ts']]) });
    expect(planned(outcome).changes).toEqual([{ kind: 'replaced', path: 'b.ts', content: 'a\n', renamedFrom: 'a.ts' }]);
  });

  it('a file the team deleted while it was theirs comes back once the template makes it platform-owned', () => {
    const outcome = planUpgrade({
      old: { files: files({ 'team/x.md': 'x\n' }), teamOwned: ['team/**'] },
      next: { files: files({ 'team/x.md': 'x2\n' }), teamOwned: [] },
      renames: new Map(),
      read: () => null,
      merge: merger.merge,
      labels: () => ({ ours: 'o', base: 'b', theirs: 't' }),
    });
    expect(planned(outcome).changes).toEqual([{ kind: 'added', path: 'team/x.md', content: 'x2\n' }]);
  });
});
