import type { Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { minimatch } from 'minimatch';
import { readManifest } from '@musiccorp/core/render';
import { PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';

/**
 * The drift rule (generators/src/drift) fails CI on any change to a platform-owned file of a service, so a
 * micro-generator may only touch the files its service's template gives the team. Checked on the Tree's pending
 * changes before they are written; a template change that broke this would otherwise surface as a red drift check.
 */
export function assertTeamOwned(tree: Tree, serviceRoot: string, templatesRoot: string): void {
  const provenance = tree.read(posix.join(serviceRoot, PROVENANCE_FILE), 'utf-8');
  const template = provenance === null ? 'service' : (JSON.parse(provenance) as Provenance).template;
  const { teamOwned } = readManifest(template, templatesRoot);
  const platformOwned = tree
    .listChanges()
    .map((change) => change.path)
    .filter((path) => {
      const inService = posix.relative(serviceRoot, path);
      return inService.startsWith('..') || !teamOwned.some((glob) => minimatch(inService, glob, { dot: true }));
    });
  if (platformOwned.length > 0) {
    throw new Error(
      `Refusing to change platform-owned files (${platformOwned.join(', ')}): teams own only ${teamOwned.join(', ')} (templates/${template}/template.json). This is a bug in the micro-generator's template; report it to the platform team.`,
    );
  }
}
