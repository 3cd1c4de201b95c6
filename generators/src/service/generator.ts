import type { Tree } from '@nx/devkit';
import type { ServiceGeneratorSchema } from './schema';
import { askTeam } from './lib/ask-team';
import { normalizeOptions, singleOptions } from './lib/normalize-options';
import { createFiles, serviceAnswers, SERVICE_TEMPLATE } from './lib/create-files';
import { addProject } from './lib/add-project';
import { writeProvenance } from '@musiccorp/core/provenance';
import { addCodeOwner } from './lib/codeowners';
import { formatProjectJson } from './lib/format-project';
import { contractFailuresMessage, syncContracts } from '../contracts/lib/sync';

/**
 * `nx g @musiccorp/generators:service <name> --team=<team>`: validate everything, then write through the Tree only.
 * Only project.json is formatted: template output is verified prettier-clean (template.spec.ts).
 */
export async function serviceGenerator(tree: Tree, schema: ServiceGeneratorSchema): Promise<void> {
  // Nx gives a generator no command line of its own: its parser's numbers are read back as typed from process.argv.
  const given = singleOptions(schema, process.argv);
  const options = normalizeOptions(tree, { ...given, team: await askTeam(tree, given.team) });
  const answers = serviceAnswers(options);
  createFiles(tree, options, answers);
  addProject(tree, options);
  formatProjectJson(tree, options.projectRoot);
  writeProvenance(tree, options.projectRoot, SERVICE_TEMPLATE, answers);
  addCodeOwner(tree, options.projectRoot, options.team.handle);
  // Its contract, built from the code just rendered (the contracts sync generator's way), so `nx sync:check` passes.
  const { failures } = await syncContracts(tree, [options.name]);
  if (failures.length > 0) throw new Error(contractFailuresMessage(failures));
}

export default serviceGenerator;
