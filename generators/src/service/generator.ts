import type { Tree } from '@nx/devkit';
import type { ServiceGeneratorSchema } from './schema';
import { askTeam } from './lib/ask-team';
import { normalizeOptions } from './lib/normalize-options';
import { createFiles, serviceAnswers, SERVICE_TEMPLATE } from './lib/create-files';
import { addProject } from './lib/add-project';
import { writeProvenance } from '@musiccorp/core/provenance';
import { addCodeOwner } from './lib/codeowners';
import { formatProjectJson } from './lib/format-project';

/**
 * `nx g @musiccorp/generators:service <name> --team=<team>`: validate everything, then write through the Tree only.
 * Only project.json is formatted: template output is verified prettier-clean (template.spec.ts).
 */
export async function serviceGenerator(tree: Tree, schema: ServiceGeneratorSchema): Promise<void> {
  const options = normalizeOptions(tree, { ...schema, team: await askTeam(tree, schema.team) });
  const answers = serviceAnswers(options);
  createFiles(tree, options, answers);
  addProject(tree, options);
  formatProjectJson(tree, options.projectRoot);
  writeProvenance(tree, options.projectRoot, SERVICE_TEMPLATE, answers);
  addCodeOwner(tree, options.projectRoot, options.team.handle);
}

export default serviceGenerator;
