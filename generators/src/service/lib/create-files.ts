import type { Tree } from '@nx/devkit';
import { renderTemplate, type Answers } from '@musiccorp/core/render';
import type { NormalizedOptions } from './normalize-options';
import { PLATFORM_VERSION } from '@musiccorp/core/provenance';

export const SERVICE_TEMPLATE = 'service';

/** The answers a service is rendered from; recorded in its provenance file so it can be rendered again. */
export function serviceAnswers(options: NormalizedOptions): Answers {
  return {
    name: options.name,
    team: options.team.id,
    teamHandle: options.team.handle,
    port: options.port,
    description: options.description,
  };
}

export function createFiles(tree: Tree, options: NormalizedOptions, answers: Answers): void {
  for (const file of renderTemplate(SERVICE_TEMPLATE, { ...answers, platformVersion: PLATFORM_VERSION })) {
    tree.write(`${options.projectRoot}/${file.path}`, file.content);
  }
}
