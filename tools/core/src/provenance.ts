import type { Tree } from '@nx/devkit';
import { checkedOutRevision } from './git';
import { formatJson } from './json-format';
import type { Answers } from './render';
import corePackage from '../package.json';

export const PLATFORM_VERSION: string = corePackage.version;
export const PROVENANCE_FILE = 'template-provenance.json';

/**
 * Where a generated folder came from: template, platform version and commit, and the answers. With these an upgrade
 * can render the old and the new template and 3-way merge, and a drift check can render the exact old output.
 */
export interface Provenance {
  template: string;
  platformVersion: string;
  /** HEAD of the platform repository when rendered; null outside git. */
  platformCommit: string | null;
  /** True when templates/ had uncommitted changes, so platformCommit alone does not reproduce the output. */
  templatesModified: boolean;
  answers: Answers;
}

export function writeProvenance(tree: Tree, folder: string, template: string, answers: Answers): Provenance {
  const provenance: Provenance = {
    template,
    platformVersion: PLATFORM_VERSION,
    ...templatesRevision(tree.root),
    answers,
  };
  tree.write(`${folder}/${PROVENANCE_FILE}`, formatJson(provenance));
  return provenance;
}

function templatesRevision(root: string): Pick<Provenance, 'platformCommit' | 'templatesModified'> {
  const { commit, modified } = checkedOutRevision(root, ['templates']);
  return { platformCommit: commit, templatesModified: modified };
}
