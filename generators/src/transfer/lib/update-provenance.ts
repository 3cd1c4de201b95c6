import type { Tree } from '@nx/devkit';
import type { Answers } from '../../render/render';
import type { Provenance } from '../../service/lib/provenance';
import { formatJson } from '../../utils/json-format';

/**
 * Records the new answers (team, teamHandle) and nothing else: template, platform version and commit stay, so the
 * drift check renders the same template revision with the new team — exactly what the transfer wrote.
 */
export function updateProvenance(tree: Tree, path: string, provenance: Provenance, answers: Answers): void {
  tree.write(path, formatJson({ ...provenance, answers }));
}
