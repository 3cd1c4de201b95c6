import type { Tree } from '@nx/devkit';
import { minimatch } from 'minimatch';
import { readManifest, renderTemplate, type Answers, type RenderedFile } from '@musiccorp/core/render';
import type { Provenance } from '@musiccorp/core/provenance';
import { withTemplatesAt } from '../../utils/template-revision';

export interface RerenderPlan {
  /** Which template revision rendered them: the one the service's provenance records, as the drift check uses. */
  templates: string;
  /** Paths relative to the service folder, with their new content. */
  files: RenderedFile[];
}

/**
 * Platform-owned files (package.json's `musiccorp.team`, the Dockerfile's team label, …) are rendered from the answers
 * and checked byte for byte by the drift check. So each one whose rendering changes with the new answers is rendered
 * again from the template revision the provenance records — not the current templates: a transfer is not an upgrade.
 * A file that already differs from its recorded rendering (a hand edit) is refused rather than overwritten.
 */
export function planRerender(tree: Tree, root: string, provenance: Provenance, answers: Answers): RerenderPlan {
  const render = (templatesRoot: string, values: Answers) =>
    renderTemplate(provenance.template, { ...values, platformVersion: provenance.platformVersion }, templatesRoot);

  return withTemplatesAt(tree.root, provenance, (templatesRoot, label) => {
    const { teamOwned } = readManifest(provenance.template, templatesRoot);
    const platformOwned = (file: RenderedFile) => !teamOwned.some((glob) => minimatch(file.path, glob, { dot: true }));
    const before = new Map(render(templatesRoot, provenance.answers).map((file) => [file.path, file.content]));
    const files = render(templatesRoot, answers)
      .filter(platformOwned)
      .filter((file) => !before.get(file.path)?.equals(file.content));

    const edited = files.filter((file) => {
      const current = tree.read(`${root}/${file.path}`);
      const recorded = before.get(file.path);
      return current !== null && recorded !== undefined && !current.equals(recorded);
    });
    if (edited.length > 0) {
      throw new Error(
        `${edited.map((file) => `${root}/${file.path}`).join(', ')}: platform-owned, and no longer as ${label} rendered ${edited.length > 1 ? 'them' : 'it'} (a hand edit). The transfer re-renders ${edited.length > 1 ? 'these files' : 'this file'} with the new team, which would discard the edit: restore ${edited.length > 1 ? 'them' : 'it'} (the drift check in generators/src/drift names the lines), then transfer.`,
      );
    }
    return { templates: label, files };
  });
}

export function writeRerender(tree: Tree, root: string, plan: RerenderPlan): void {
  for (const file of plan.files) tree.write(`${root}/${file.path}`, file.content);
}
