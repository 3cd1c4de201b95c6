/**
 * The real plopfile at the workspace root, loaded by plop's own engine (node-plop) with its output moved to a test
 * workspace (`--dest`): generators listed with descriptions, positional answers bypassing the prompts (refusals
 * included), and the actions writing through the same generators as the specs beside this one.
 */
import { existsSync, readFileSync } from 'node:fs';
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

const readJson = (path: string) => JSON.parse(readFileSync(join(workspace.root, path), 'utf8'));

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
    // the service's contract, regenerated from the code the generator left: `nx sync:check` passes after
    expect(changes[0]?.path).toContain('created services/catalog/contract/openapi.json');
    expect(readJson('services/catalog/contract/openapi.json').paths).toHaveProperty(['/albums/{albumId}', 'get']);
  });

  it("writes the generator's files but fails, naming the fix, when the team's code cannot be described", async () => {
    const index = 'services/catalog/src/routes/index.ts';
    workspace.write(
      index,
      readFileSync(join(workspace.root, index), 'utf8').replace(/export const apiVersion.*\n/, ''),
    );
    const endpoint = (await loadPlopfile()).getGenerator('endpoint');
    const { failures } = await endpoint.runActions(
      await endpoint.runPrompts(['catalog', 'GET', '/albums', 'listAlbums']),
    );
    expect(failures[0]?.error).toMatch(
      /created services\/catalog\/src\/routes\/list-albums\.ts[^]*but not the service's contract: src\/routes\/index\.ts must export apiVersion[^]*Fix that, then write it with: npx nx sync$/,
    );
    expect(existsSync(join(workspace.root, 'services/catalog/src/routes/list-albums.ts'))).toBe(true);
    expect(existsSync(join(workspace.root, 'services/catalog/contract/openapi.json'))).toBe(false);
  });

  it('runs event from positional arguments', async () => {
    const event = (await loadPlopfile()).getGenerator('event');
    const answers = await event.runPrompts(['payment', 'PaymentCaptured']);
    const { failures } = await event.runActions(answers);
    expect(failures).toEqual([]);
    expect(existsSync(join(workspace.root, 'services/payment/src/events/payment-captured/consumer.ts'))).toBe(true);
    expect(readJson('services/payment/contract/events.json').channels).toEqual({
      PaymentCaptured: {
        address: 'com.musiccorp.payment.payment-captured',
        messages: { PaymentCaptured: { $ref: '#/components/messages/PaymentCaptured' } },
      },
    });
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
