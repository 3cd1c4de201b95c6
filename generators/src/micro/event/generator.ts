import { formatFiles, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { renderTemplate, TEMPLATES_ROOT } from '@musiccorp/core/render';
import { caseHelpers, words } from '@musiccorp/core/render-helpers';
import { assertTeamOwned } from '../team-owned';
import { normalizeEventOptions, type EventOptions } from './options';
import { EVENTS_INDEX, registerEvent } from './register-event';
import type { EventSchema } from './schema';

export const EVENT_TEMPLATE = 'event';

/**
 * `npx plop event <service> <EventName>`: the event's envelope type, data schema and validation, publisher, consumer
 * and their test, its entry in the events catalog (`src/events/index.ts`, which contract/events.json is built from),
 * plus the modules all of a service's events share (transport, envelope and data checks, the catalog) when it has
 * none yet — an existing one is the team's and is kept as it is.
 */
export async function eventGenerator(tree: Tree, schema: EventSchema, templatesRoot = TEMPLATES_ROOT): Promise<void> {
  const options = normalizeEventOptions(tree, schema);
  const data = {
    service: options.service.name,
    eventName: options.eventName,
    eventFile: options.eventFile,
    eventType: options.eventType,
  };
  const files = renderTemplate(EVENT_TEMPLATE, data, templatesRoot);
  // The catalog the event joins: the team's, or the template's when the service has none yet (checked before writing).
  const index = posix.join(options.service.root, EVENTS_INDEX);
  const catalog = tree.read(index, 'utf-8') ?? files.find((file) => file.path === EVENTS_INDEX)?.content.toString();
  const registered = registerEvent(catalog ?? '', catalogEntry(options), index);
  for (const file of files) {
    // The event's own files were checked to be free; a shared module that exists is kept.
    const target = posix.join(options.service.root, file.path);
    if (!tree.exists(target)) tree.write(target, file.content);
  }
  tree.write(index, registered);
  assertTeamOwned(tree, options.service.root, templatesRoot);
  await formatFiles(tree);
}

function catalogEntry({ eventName, eventFile }: EventOptions) {
  const [first = '', ...rest] = words(eventName);
  return {
    name: eventName,
    typeConstant: caseHelpers.constantCase(eventName),
    schemaConstant: `${caseHelpers.camelCase(eventName)}DataSchema`,
    moduleSpecifier: `./${eventFile}/event`,
    /** `OrderPlaced` → "Order placed." */
    summary: `${[first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(' ')}.`,
  };
}
