import { readJson, type Tree } from '@nx/devkit';
import { formatJson } from '@musiccorp/core/json-format';

/**
 * Nx writes project.json with JSON.stringify; print it as prettier would, like the rest of the workspace. The rendered
 * template files need no formatting: template.spec.ts keeps them prettier-clean.
 */
export function formatProjectJson(tree: Tree, projectRoot: string): void {
  const path = `${projectRoot}/project.json`;
  tree.write(path, formatJson(readJson(tree, path)));
}
