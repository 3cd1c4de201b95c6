import { visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { caseHelpers } from '@musiccorp/core/render-helpers';
import type { ServiceInfo } from '@musiccorp/core/services';
import { findService } from '../service';
import type { EventSchema } from './schema';

export interface EventOptions {
  service: ServiceInfo;
  /** PascalCase, past tense: `OrderPlaced`. */
  eventName: string;
  /** Its folder under src/events and its test's name: `order-placed`. */
  eventFile: string;
  /** CloudEvents type: `com.musiccorp.<service>.order-placed`. */
  eventType: string;
}

const PASCAL_CASE = /^(?:[A-Z][a-z0-9]+)+$/;
/** Modules every event of a service shares; an event folder of the same name would shadow them in imports. */
const SHARED_MODULES = new Set(['transport', 'envelope', 'data-schema', 'index']);

/** Validates every answer before anything is written; throws the first problem, with its fix. */
export function normalizeEventOptions(tree: Tree, schema: EventSchema): EventOptions {
  const service = findService(tree, schema.service);
  const eventName = parseEventName(schema.eventName);
  const eventFile = caseHelpers.kebabCase(eventName);
  const eventType = `com.musiccorp.${service.name}.${eventFile}`;
  assertChassisHasEventTransport(tree, service);
  assertEventIsNew(tree, service, eventName, eventFile, eventType);
  return { service, eventName, eventFile, eventType };
}

export function parseEventName(value: unknown): string {
  const eventName = typeof value === 'string' ? value.trim() : '';
  if (eventName === '') throw new Error('An event name is required: PascalCase, past tense, e.g. OrderPlaced.');
  if (!PASCAL_CASE.test(eventName)) {
    const suggestion = caseHelpers.pascalCase(eventName);
    const tryInstead = PASCAL_CASE.test(suggestion) ? ` Try "${suggestion}".` : '';
    throw new Error(
      `Event name "${eventName}" must be PascalCase (words starting with a capital, letters and digits only), past tense, e.g. OrderPlaced.${tryInstead}`,
    );
  }
  if (SHARED_MODULES.has(caseHelpers.kebabCase(eventName))) {
    throw new Error(
      `Event name "${eventName}" would shadow src/events/${caseHelpers.kebabCase(eventName)}.ts; say what happened, e.g. ${eventName}Changed.`,
    );
  }
  return eventName;
}

/** The chassis module the rendered publisher, consumer and transport import from (src/chassis/index.ts exports it). */
const EVENT_TRANSPORT_MODULE = 'src/chassis/broker/index.ts';

/** A service on a chassis from before the event transport would get event code that does not compile. */
export function assertChassisHasEventTransport(tree: Tree, service: ServiceInfo): void {
  if (tree.exists(posix.join(service.root, EVENT_TRANSPORT_MODULE))) return;
  throw new Error(
    `${service.name}'s chassis predates the event transport its events need (${EVENT_TRANSPORT_MODULE}): upgrade it first with \`npx nx g @musiccorp/generators:upgrade ${service.name}\`, then run the command again.`,
  );
}

/** Refuses an event the service already has: its folder, its test, or its type string anywhere in src/events. */
export function assertEventIsNew(
  tree: Tree,
  service: ServiceInfo,
  eventName: string,
  eventFile: string,
  eventType: string,
): void {
  const taken = [`src/events/${eventFile}`, `test/events/${eventFile}.spec.ts`]
    .map((path) => posix.join(service.root, path))
    .filter((path) => tree.exists(path));
  const eventsDir = posix.join(service.root, 'src/events');
  if (tree.exists(eventsDir)) {
    visitNotIgnoredFiles(tree, eventsDir, (file) => {
      if (file.endsWith('.ts') && tree.read(file, 'utf-8')?.includes(`'${eventType}'`)) taken.push(file);
    });
  }
  if (taken.length > 0) {
    throw new Error(
      `${service.name} already has the event ${eventName} (${eventType}): ${[...new Set(taken)].join(', ')}. Choose another name, or change the existing event.`,
    );
  }
}
