import { readFileSync, rmSync } from 'node:fs';
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
  it('writes the envelope type, publisher, consumer, test, catalog entry and the shared modules, all team-owned', async () => {
    expect(await generate({ service: 'catalog', eventName: 'OrderPlaced' })).toEqual([
      `CREATE ${SERVICE}/src/events/data-schema.ts`,
      `CREATE ${SERVICE}/src/events/envelope.ts`,
      `CREATE ${SERVICE}/src/events/index.ts`,
      `CREATE ${SERVICE}/src/events/order-placed/consumer.ts`,
      `CREATE ${SERVICE}/src/events/order-placed/event.ts`,
      `CREATE ${SERVICE}/src/events/order-placed/publisher.ts`,
      `CREATE ${SERVICE}/src/events/transport.ts`,
      `CREATE ${SERVICE}/test/events/order-placed.spec.ts`,
    ]);
    expect(read('src/events/order-placed/event.ts')).toContain(
      "export const ORDER_PLACED = 'com.musiccorp.catalog.order-placed';",
    );
    // the data is declared as a JSON Schema, and checked with it
    expect(read('src/events/order-placed/event.ts')).toContain(
      "export const orderPlacedDataSchema = {\n  $id: 'OrderPlacedData',",
    );
    expect(read('src/events/order-placed/event.ts')).toContain('dataValidator(orderPlacedDataSchema)');
    expect(read('src/events/index.ts')).toContain(
      "import { ORDER_PLACED, orderPlacedDataSchema } from './order-placed/event';\n",
    );
    expect(read('src/events/index.ts')).toContain(
      "export const publishedEvents: PublishedEvent[] = [\n  { type: ORDER_PLACED, name: 'OrderPlaced', summary: 'Order placed.', dataSchema: orderPlacedDataSchema },\n];",
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
      `UPDATE ${SERVICE}/src/events/index.ts`,
    ]);
    expect(read('src/events/transport.ts')).toBe(ownTransport);
    // appended to the catalog, after the first event
    expect(read('src/events/index.ts')).toMatch(
      /import \{ ORDER_PLACED, orderPlacedDataSchema \} from '\.\/order-placed\/event';\nimport \{ ALBUM_RELEASED, albumReleasedDataSchema \} from '\.\/album-released\/event';\n[^]*name: 'OrderPlaced'[^]*name: 'AlbumReleased'/,
    );
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
    ['a name shadowing the catalog', { service: 'catalog', eventName: 'Index' }, /would shadow src\/events\/index\.ts/],
    [
      'a name shadowing the data checks',
      { service: 'catalog', eventName: 'DataSchema' },
      /would shadow src\/events\/data-schema\.ts/,
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

  it('refuses a catalog without its publishedEvents array, naming the fix, and writes nothing', async () => {
    workspace.write(`${SERVICE}/src/events/index.ts`, "export const eventsVersion = '1.0.0';\n");
    const tree = workspace.tree();
    await expect(eventGenerator(tree, { service: 'catalog', eventName: 'OrderPlaced' })).rejects.toThrow(
      'services/catalog/src/events/index.ts has no `export const publishedEvents: PublishedEvent[] = [ … ];` to add OrderPlaced to. Restore it (see templates/event/src/events/index.ts), then run the command again.',
    );
    expect(tree.listChanges()).toEqual([]);
  });

  it('refuses a service whose chassis predates the event transport, naming the upgrade, and writes nothing', async () => {
    rmSync(join(workspace.root, SERVICE, 'src/chassis/broker'), { recursive: true });
    const tree = workspace.tree();
    await expect(eventGenerator(tree, { service: 'catalog', eventName: 'OrderPlaced' })).rejects.toThrow(
      "catalog's chassis predates the event transport its events need (src/chassis/broker/index.ts): upgrade it first with `npx nx g @musiccorp/generators:upgrade catalog`, then run the command again.",
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
