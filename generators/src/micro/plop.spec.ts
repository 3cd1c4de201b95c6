/**
 * The real plopfile at the workspace root, loaded by plop's own engine (node-plop) with its output moved to a test
 * workspace (`--dest`): generators listed with descriptions, positional answers bypassing the prompts (refusals
 * included), and the actions writing through the same generators as the specs beside this one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import nodePlop from 'node-plop';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../utils/testing';
import { createTestWorkspace, type TestWorkspace } from './testing';

let workspace: TestWorkspace;
beforeEach(() => {
  workspace = createTestWorkspace(['catalog', 'payment']);
});
afterEach(() => workspace.dispose());

const loadPlopfile = () =>
  nodePlop(join(WORKSPACE_ROOT, 'plopfile.cjs'), { destBasePath: workspace.root, force: false });

describe('plopfile.cjs', () => {
  it('lists the endpoint and event generators with their usage', async () => {
    const plop = await loadPlopfile();
    expect(plop.getGeneratorList()).toEqual([
      {
        name: 'endpoint',
        description: expect.stringContaining('plop endpoint <service> <METHOD> <path> <handlerName>'),
      },
      { name: 'event', description: expect.stringContaining('plop event <service> <EventName>') },
    ]);
    // The render module's helpers (plop lists only those it does not bake in itself; ours replace its case helpers).
    expect(plop.getHelperList()).toEqual(expect.arrayContaining(['json', 'eq']));
  });

  it('runs endpoint from positional arguments, method in any case', async () => {
    const endpoint = (await loadPlopfile()).getGenerator('endpoint');
    const answers = await endpoint.runPrompts(['catalog', 'get', '/albums/:albumId', 'getAlbum']);
    expect(answers).toEqual({ service: 'catalog', method: 'GET', path: '/albums/:albumId', handlerName: 'getAlbum' });

    const { changes, failures } = await endpoint.runActions(answers);
    expect(failures).toEqual([]);
    expect(changes[0]?.path).toContain('created services/catalog/src/routes/get-album.ts');
    expect(existsSync(join(workspace.root, 'services/catalog/test/routes/get-album.spec.ts'))).toBe(true);
  });

  it('runs event from positional arguments', async () => {
    const event = (await loadPlopfile()).getGenerator('event');
    const answers = await event.runPrompts(['payment', 'PaymentCaptured']);
    const { failures } = await event.runActions(answers);
    expect(failures).toEqual([]);
    expect(existsSync(join(workspace.root, 'services/payment/src/events/payment-captured/consumer.ts'))).toBe(true);
  });

  it.each([
    ['endpoint', ['nope', 'GET', '/x', 'getX'], /Unknown service "nope"\. Use one of: catalog, payment\./],
    ['endpoint', ['catalog', 'FETCH', '/x', 'getX'], /Unknown HTTP method "FETCH"/],
    ['endpoint', ['catalog', 'POST', '/items', 'addItem'], /POST \/items already exists in catalog/],
    ['endpoint', ['catalog', 'GET', '/x/', 'getX'], /must not end with "\/"/],
    ['endpoint', ['catalog', 'GET', '/x', 'GetX'], /must be a camelCase identifier/],
    ['event', ['catalog', 'order_placed'], /must be PascalCase/],
  ])('%s %j is refused at the prompts, before any action', async (name, bypass, message) => {
    const generator = (await loadPlopfile()).getGenerator(name);
    await expect(generator.runPrompts(bypass)).rejects.toThrow(message);
  });

  it.each([
    [
      'endpoint',
      ['nosuch', 'GET', '/x', 'getX'],
      'Unknown service "nosuch". Use one of: catalog, payment. Or create it: npx nx g @musiccorp/generators:service nosuch --team=<team>',
    ],
    [
      'event',
      ['No Such', 'OrderPlaced'],
      'Unknown service "No Such". Use one of: catalog, payment. Or create it: npx nx g @musiccorp/generators:service <name> --team=<team>',
    ],
    [
      'endpoint',
      ['catalog', 'fetch', '/x', 'getX'],
      'Unknown HTTP method "fetch". Use one of: GET, POST, PUT, PATCH, DELETE.',
    ],
  ])("%s %j is refused in our words alone, not wrapped in plop's list wording", async (name, bypass, message) => {
    const generator = (await loadPlopfile()).getGenerator(name);
    await expect(generator.runPrompts(bypass)).rejects.toHaveProperty('message', message);
  });
});
