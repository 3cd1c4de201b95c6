import { formatFiles, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { renderTemplate, TEMPLATES_ROOT } from '@musiccorp/core/render';
import { assertTeamOwned } from '../team-owned';
import { normalizeEventOptions } from './options';
import type { EventSchema } from './schema';

export const EVENT_TEMPLATE = 'event';

/**
 * `npx plop event <service> <EventName>`: the event's envelope type and validation, publisher, consumer and their
 * test, plus the modules all of a service's events share (transport, envelope checks) when it has none yet — an
 * existing one is the team's and is kept as it is.
 */
export async function eventGenerator(tree: Tree, schema: EventSchema, templatesRoot = TEMPLATES_ROOT): Promise<void> {
  const options = normalizeEventOptions(tree, schema);
  const data = {
    service: options.service.name,
    eventName: options.eventName,
    eventFile: options.eventFile,
    eventType: options.eventType,
  };
  for (const file of renderTemplate(EVENT_TEMPLATE, data, templatesRoot)) {
    // The event's own files were checked to be free; a shared module that exists is kept.
    const target = posix.join(options.service.root, file.path);
    if (!tree.exists(target)) tree.write(target, file.content);
  }
  assertTeamOwned(tree, options.service.root, templatesRoot);
  await formatFiles(tree);
}
