/** Test helpers: a virtual workspace holding this repository's real teams registry and its schema. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { TEAMS_FILE, TEAMS_SCHEMA_FILE } from '@musiccorp/core/teams';

export const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
export const realFile = (path: string) => readFileSync(join(WORKSPACE_ROOT, path), 'utf8');

export function registryTree(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write(TEAMS_FILE, realFile(TEAMS_FILE));
  tree.write(TEAMS_SCHEMA_FILE, realFile(TEAMS_SCHEMA_FILE));
  return tree;
}

/** Every pending change of the Tree, content included: equal before and after means the generator wrote nothing. */
export const pendingChanges = (tree: Tree): Array<[path: string, type: string, content: string | null]> =>
  tree.listChanges().map((change) => [change.path, change.type, change.content?.toString() ?? null]);
