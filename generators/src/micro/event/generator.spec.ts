import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flushChanges } from 'nx/src/generators/tree';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDrift } from '../../drift/drift';
import { readManifest } from '@musiccorp/core/render';
import { createTestWorkspace, type TestWorkspace } from '../testing';
import { eventGenerator } from './generator';
import type { EventSchema } from './schema';

const SERVICE = 'services/catalog';
let workspace: TestWorkspace;
beforeEach(() => {
  workspace = createTestWorkspace(['catalog', 'payment']);
});
afterEach(() => workspace.dispose());

async function generate(schema: EventSchema): Promise<string[]> {
  const tree = workspace.tree();
  await eventGenerator(tree, schema);
  const changes = tree.listChanges();
  flushChanges(workspace.root, changes);
  return changes.map((change) => `${change.type} ${change.path}`).sort();
}

const read = (path: string) => readFileSync(join(workspace.root, SERVICE, path), 'utf8');

describe('eventGenerator', () => {
  it('writes the envelope type, publisher, consumer, test and the shared modules, all team-owned', async () => {
    expect(await generate({ service: 'catalog', eventName: 'OrderPlaced' })).toEqual([
      `CREATE ${SERVICE}/src/events/envelope.ts`,
      `CREATE ${SERVICE}/src/events/order-placed/consumer.ts`,
      `CREATE ${SERVICE}/src/events/order-placed/event.ts`,
      `CREATE ${SERVICE}/src/events/order-placed/publisher.ts`,
      `CREATE ${SERVICE}/src/events/transport.ts`,
      `CREATE ${SERVICE}/test/events/order-placed.spec.ts`,
    ]);
    expect(read('src/events/order-placed/event.ts')).toContain(
      "export const ORDER_PLACED = 'com.musiccorp.catalog.order-placed';",
    );
    expect(read('src/events/order-placed/publisher.ts')).toContain('createEvent(ORDER_PLACED, data)');
    expect(read('src/events/order-placed/consumer.ts')).toContain(
      'await runInEventContext(event, () => handler(event, logger));',
    );
    expect(checkDrift(workspace.root, SERVICE).findings).toEqual([]);
    expect(readManifest('service').teamOwned).toEqual(expect.arrayContaining(readManifest('event').teamOwned));
  });

  it("keeps the team's shared modules when adding a second event", async () => {
    await generate({ service: 'catalog', eventName: 'OrderPlaced' });
    const ownTransport = `${read('src/events/transport.ts')}\n// our broker adapter goes here\n`;
    workspace.write(`${SERVICE}/src/events/transport.ts`, ownTransport);

    expect(await generate({ service: 'catalog', eventName: 'AlbumReleased' })).toEqual([
      `CREATE ${SERVICE}/src/events/album-released/consumer.ts`,
      `CREATE ${SERVICE}/src/events/album-released/event.ts`,
      `CREATE ${SERVICE}/src/events/album-released/publisher.ts`,
      `CREATE ${SERVICE}/test/events/album-released.spec.ts`,
    ]);
    expect(read('src/events/transport.ts')).toBe(ownTransport);
  });

  it.each<[string, EventSchema, RegExp]>([
    [
      'an unknown service',
      { service: 'nope', eventName: 'OrderPlaced' },
      /Unknown service "nope"\. Use one of: catalog, payment\./,
    ],
    ['a missing name', { service: 'catalog', eventName: ' ' }, /An event name is required/],
    ['a kebab-case name', { service: 'catalog', eventName: 'order-placed' }, /must be PascalCase.*Try "OrderPlaced"/],
    ['a camelCase name', { service: 'catalog', eventName: 'orderPlaced' }, /must be PascalCase/],
    ['an acronym', { service: 'catalog', eventName: 'HTTPFailed' }, /must be PascalCase/],
    [
      'a name shadowing a shared module',
      { service: 'catalog', eventName: 'Transport' },
      /would shadow src\/events\/transport\.ts/,
    ],
  ])('refuses %s and writes nothing', async (_, schema, message) => {
    const tree = workspace.tree();
    await expect(eventGenerator(tree, schema)).rejects.toThrow(message);
    expect(tree.listChanges()).toEqual([]);
  });

  it('refuses an event the service already has, naming its files', async () => {
    await generate({ service: 'catalog', eventName: 'OrderPlaced' });
    const tree = workspace.tree();
    await expect(eventGenerator(tree, { service: 'catalog', eventName: 'OrderPlaced' })).rejects.toThrow(
      /catalog already has the event OrderPlaced \(com\.musiccorp\.catalog\.order-placed\): services\/catalog\/src\/events\/order-placed/,
    );
    expect(tree.listChanges()).toEqual([]);
  });

  it('refuses an event whose type string a team already uses elsewhere in src/events', async () => {
    workspace.write(`${SERVICE}/src/events/legacy.ts`, "export const TYPE = 'com.musiccorp.catalog.order-placed';\n");
    const tree = workspace.tree();
    await expect(eventGenerator(tree, { service: 'catalog', eventName: 'OrderPlaced' })).rejects.toThrow(
      /services\/catalog\/src\/events\/legacy\.ts/,
    );
    expect(tree.listChanges()).toEqual([]);
  });
});
