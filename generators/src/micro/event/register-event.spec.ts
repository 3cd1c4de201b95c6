import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../../utils/testing';
import { registerEvent, type CatalogEntry } from './register-event';

const templateCatalog = readFileSync(join(WORKSPACE_ROOT, 'templates/event/src/events/index.ts'), 'utf8');

const entry = (name: string, file: string, summary = `${name}.`): CatalogEntry => ({
  name,
  typeConstant: name.replace(/(?<!^)([A-Z])/g, '_$1').toUpperCase(),
  schemaConstant: `${name.charAt(0).toLowerCase()}${name.slice(1)}DataSchema`,
  moduleSpecifier: `./${file}/event`,
  summary,
});

describe('registerEvent', () => {
  it("adds the event's import and its entry to the template's empty catalog", () => {
    const updated = registerEvent(templateCatalog, entry('OrderPlaced', 'order-placed'), 'index.ts');
    expect(updated).toContain(
      "import type { PublishedEvent } from '../chassis';\nimport { ORDER_PLACED, orderPlacedDataSchema } from './order-placed/event';\n",
    );
    expect(updated).toContain(
      "[\n{ type: ORDER_PLACED, name: 'OrderPlaced', summary: 'OrderPlaced.', dataSchema: orderPlacedDataSchema },\n];",
    );
  });

  it('appends after the last entry, trailing comma or not, in the quotes the file uses', () => {
    const source = [
      'import { ORDER_PLACED, orderPlacedDataSchema } from "./order-placed/event";',
      '',
      'export const publishedEvents = [',
      '  { type: ORDER_PLACED, name: "OrderPlaced", summary: "", dataSchema: orderPlacedDataSchema },',
      '] as const;',
    ].join('\n');
    const updated = registerEvent(source, entry('OrderShipped', 'order-shipped', 'The "order" left.'), 'index.ts');
    expect(updated).toContain(
      'from "./order-placed/event";\nimport { ORDER_SHIPPED, orderShippedDataSchema } from "./order-shipped/event";\n',
    );
    expect(updated).toContain(
      'dataSchema: orderPlacedDataSchema },\n{ type: ORDER_SHIPPED, name: "OrderShipped", summary: "The \\"order\\" left.", dataSchema: orderShippedDataSchema },\n] as const;',
    );
  });

  it('refuses a file without a publishedEvents array, naming the fix', () => {
    expect(() =>
      registerEvent(
        'export const publishedEvents = load();\n',
        entry('OrderPlaced', 'order-placed'),
        'src/events/index.ts',
      ),
    ).toThrow(
      'src/events/index.ts has no `export const publishedEvents: PublishedEvent[] = [ … ];` to add OrderPlaced to.',
    );
  });
});
