import type { Tree } from '@nx/devkit';
import { formatJson } from '@musiccorp/core/json-format';
import type { ServiceUpgrade } from './plan-service';

/** Applies a planned upgrade to the Tree: the file changes (conflicts with their markers) and the next provenance. */
export function writeUpgrade(tree: Tree, upgrade: ServiceUpgrade): void {
  const { root } = upgrade.service;
  for (const change of upgrade.plan.changes) {
    if (change.kind === 'removed') {
      tree.delete(`${root}/${change.path}`);
      continue;
    }
    if (change.renamedFrom) tree.delete(`${root}/${change.renamedFrom}`);
    tree.write(`${root}/${change.path}`, change.content);
  }
  tree.write(upgrade.provenancePath, formatJson(upgrade.provenance));
}
