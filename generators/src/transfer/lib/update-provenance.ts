import type { Tree } from '@nx/devkit';
import type { Answers } from '@musiccorp/core/render';
import type { Provenance } from '@musiccorp/core/provenance';
import { formatJson } from '@musiccorp/core/json-format';

/**
 * Records the new answers (team, teamHandle) and nothing else: template, platform version and commit stay, so the
 * drift check renders the same template revision with the new team — exactly what the transfer wrote.
 */
export function updateProvenance(tree: Tree, path: string, provenance: Provenance, answers: Answers): void {
  tree.write(path, formatJson({ ...provenance, answers }));
}
