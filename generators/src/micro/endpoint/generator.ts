import { formatFiles, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { renderTemplate, TEMPLATES_ROOT } from '@musiccorp/core/render';
import { assertTeamOwned } from '../team-owned';
import { addEndpointToReadme } from './endpoints-readme';
import { normalizeEndpointOptions } from './options';
import { registerRoute } from './register-route';
import { ROUTES_INDEX } from './registered-routes';
import type { EndpointSchema } from './schema';
import { endpointTemplateData } from './template-data';

export const ENDPOINT_TEMPLATE = 'endpoint';
const README = 'README.md';

/**
 * `npx plop endpoint <service> <METHOD> <path> <handlerName>`: a route module with JSON schemas, registered in
 * `src/routes/index.ts`, its test, and its row in the README's Endpoints table. Everything is validated before the
 * Tree is touched, and the Tree is written all or nothing by the caller.
 */
export async function endpointGenerator(
  tree: Tree,
  schema: EndpointSchema,
  templatesRoot = TEMPLATES_ROOT,
): Promise<void> {
  const options = normalizeEndpointOptions(tree, schema);
  const root = options.service.root;
  for (const file of renderTemplate(ENDPOINT_TEMPLATE, endpointTemplateData(options), templatesRoot)) {
    const target = posix.join(root, file.path);
    if (file.path === README) {
      tree.write(target, addEndpointToReadme(tree.read(target, 'utf-8') ?? '', file.content.toString('utf8')));
    } else {
      tree.write(target, file.content);
    }
  }
  const index = posix.join(root, ROUTES_INDEX);
  const source = tree.read(index, 'utf-8');
  if (source === null) {
    throw new Error(`${index} is missing: restore it from templates/service/src/routes/index.ts, then run again.`);
  }
  tree.write(index, registerRoute(source, options.handlerName, `./${options.fileName}`, index));
  assertTeamOwned(tree, root, templatesRoot);
  await formatFiles(tree);
}
