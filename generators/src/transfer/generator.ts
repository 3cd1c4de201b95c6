import type { Tree } from '@nx/devkit';
import type { TransferGeneratorSchema } from './schema';
import { normalizeOptions } from './lib/normalize-options';
import { updateTeamTag } from './lib/update-tag';
import { updateReadme } from './lib/update-readme';
import { updatePipeline } from './lib/update-pipeline';
import { writeRerender } from './lib/rerender-platform-files';
import { updateProvenance } from './lib/update-provenance';
import { syncCodeowners } from '../codeowners/lib/sync';

/**
 * `nx g @musiccorp/generators:transfer <service> --to=<team>`: everything that names the owner moves together — the
 * `team:<id>` tag (the source of truth), the README owner line, pipeline.json, the platform-owned files rendered from
 * the team answer (package.json, Dockerfile) and the provenance answers, then CODEOWNERS. Every check and the
 * re-render plan come first, so a refusal writes nothing; afterwards the drift check and `nx sync:check` pass.
 */
export async function transferGenerator(tree: Tree, schema: TransferGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, schema);
  const { root } = options.service;
  updateTeamTag(tree, root, options.from.id, options.to.id);
  updateReadme(tree, root, options.to);
  updatePipeline(tree, root, options.to);
  writeRerender(tree, root, options.rerender);
  updateProvenance(tree, options.provenancePath, options.provenance, options.answers);
  syncCodeowners(tree);
}

export default transferGenerator;
