import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeUnresolvedConflicts, unresolvedUpgradeConflicts, upgradeConflictLabels } from './conflicts';

const OLD = '1fdc7b5aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const NEW = 'c9be832bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const labels = upgradeConflictLabels(OLD, NEW);
const conflict = (closing = labels.theirs) =>
  [`<<<<<<< ${labels.ours}`, 'ours', '=======', 'theirs', `>>>>>>> ${closing}`].join('\n');

let root: string | undefined;
function workspace(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'upgrade-conflicts-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('unresolvedUpgradeConflicts', () => {
  it('labels a conflict with both platform commits', () => {
    expect(labels).toEqual({
      ours: 'workspace (yours, on platform 1fdc7b5)',
      base: 'platform 1fdc7b5',
      theirs: 'platform c9be832',
    });
  });

  it("finds the last upgrade's conflicts in copied files and the derived package files, by line", () => {
    const dir = workspace({
      'platform.json': JSON.stringify({
        platformCommit: NEW,
        copied: ['nx.json', 'generators/README.md', 'docs.md', 'old.md', 'deleted.ts'],
      }),
      'nx.json': '{}\n',
      'generators/README.md': `# Generators\n${conflict()}\n`,
      // How a conflict looks, in a README: other labels, so not one to resolve.
      'docs.md': `${conflict('template c9be832')}\n<<<<<<< catalog (yours)\n=======\n>>>>>>> platform c9be832\n`,
      'old.md': conflict('platform 0000000'), // an earlier upgrade's: the last one refused to start while it was there
      'package.json': `{\n${conflict()}\n}\n`,
      'services/catalog/README.md': conflict(), // the lint rule's, not this check's
    });
    const conflicts = unresolvedUpgradeConflicts(dir);
    expect(conflicts).toEqual([
      { path: 'generators/README.md', lines: [2, 4, 6] },
      { path: 'package.json', lines: [2, 4, 6] },
    ]);
    expect(describeUnresolvedConflicts(conflicts)).toContain('  generators/README.md: lines 2, 4, 6');
  });

  it('has nothing to check without platform.json (the platform itself)', () => {
    expect(unresolvedUpgradeConflicts(workspace({ 'package.json': conflict() }))).toEqual([]);
  });
});
