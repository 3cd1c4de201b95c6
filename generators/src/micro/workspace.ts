import type { Tree } from '@nx/devkit';
import { FsTree, flushChanges } from 'nx/src/generators/tree';

export interface WorkspaceChange {
  path: string;
  type: 'CREATE' | 'UPDATE' | 'DELETE';
}

/**
 * Runs a generator on the workspace at `root` the way `nx g` does: through an Nx Tree, written to disk only once
 * the generator has finished, so a refusal (or any error) leaves every file as it was.
 */
export async function runOnWorkspace(
  root: string,
  generator: (tree: Tree) => Promise<void> | void,
): Promise<WorkspaceChange[]> {
  const tree = new FsTree(root, false);
  await generator(tree);
  const changes = tree.listChanges();
  flushChanges(root, changes);
  return changes.map(({ path, type }) => ({ path, type }));
}

/** A read-only view of the workspace, for prompts that check an answer before the generator runs. */
export const readWorkspace = (root: string): Tree => new FsTree(root, false);
