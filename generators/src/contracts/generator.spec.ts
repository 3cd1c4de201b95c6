import { addProjectConfiguration, type Tree } from '@nx/devkit';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contractFiles, formatContract } from '@musiccorp/contract/describe/contract-files';
import { describeServices } from '@musiccorp/contract/describe/describe-service';
import { serviceGenerator } from '../service/generator';
import { pendingChanges, registryTree } from '../utils/testing';
import { contractsSyncGenerator } from './generator';
import { treeReader } from './lib/sync';

const CATALOG = contractFiles('catalog');
const PAYMENT = contractFiles('payment');

/** Two services from the service generator (which writes their contracts), as one workspace to copy per test. */
let generated: Map<string, string>;
beforeAll(async () => {
  const tree = registryTree();
  await serviceGenerator(tree, { name: 'catalog', team: 'catalog' });
  await serviceGenerator(tree, { name: 'payment', team: 'finance' });
  generated = new Map(tree.listChanges().map((change) => [change.path, change.content?.toString() ?? '']));
});

let tree: Tree;
beforeEach(() => {
  tree = registryTree();
  for (const [path, content] of generated) tree.write(path, content);
});

const ALBUMS_ROUTE = `
import type { FastifyPluginAsync } from 'fastify';

export const albums: FastifyPluginAsync = async (app) => {
  app.get('/albums', { schema: { response: { 200: { type: 'array', items: { type: 'string' } } } } }, async () => []);
};
`;

describe('contracts sync generator', () => {
  it('finds a workspace the service generator left in sync, and changes nothing', async () => {
    const before = pendingChanges(tree);
    expect(await contractsSyncGenerator(tree)).toBeUndefined();
    expect(pendingChanges(tree)).toEqual(before);
    // what the service generator wrote is what the code declares, as committed
    const declared = await describeServices(tree.root, ['catalog'], treeReader(tree));
    expect(tree.read(CATALOG.openapi, 'utf-8')).toBe(formatContract(declared.get('catalog')!.openapi));
    expect(tree.read(CATALOG.events, 'utf-8')).toBe(formatContract(declared.get('catalog')!.events));
  });

  it('reports, then rewrites, the contract of a service whose routes changed, naming `npx nx sync`', async () => {
    tree.write('services/payment/src/routes/albums.ts', ALBUMS_ROUTE);
    const index = tree.read('services/payment/src/routes/index.ts', 'utf-8')!;
    tree.write(
      'services/payment/src/routes/index.ts',
      index
        .replace(
          "import { items } from './items';",
          "import { items } from './items';\nimport { albums } from './albums';",
        )
        .replace('await app.register(items);', 'await app.register(items);\n  await app.register(albums);'),
    );
    const catalogBefore = tree.read(CATALOG.openapi, 'utf-8');

    expect(await contractsSyncGenerator(tree)).toEqual({
      outOfSyncMessage: expect.stringContaining('write them with `npx nx sync`'),
      outOfSyncDetails: [`${PAYMENT.openapi} is not what the code declares`],
    });
    expect(JSON.parse(tree.read(PAYMENT.openapi, 'utf-8')!).paths).toHaveProperty('/albums');
    expect(tree.read(CATALOG.openapi, 'utf-8')).toBe(catalogBefore);
    // written: in sync now
    expect(await contractsSyncGenerator(tree)).toBeUndefined();
  });

  it('writes contract files that are missing or edited by hand', async () => {
    const committed = tree.read(CATALOG.events, 'utf-8');
    tree.delete(CATALOG.openapi);
    tree.write(CATALOG.events, '{}\n');
    expect(await contractsSyncGenerator(tree)).toMatchObject({
      outOfSyncDetails: [
        `${CATALOG.openapi} is not what the code declares`,
        `${CATALOG.events} is not what the code declares`,
      ],
    });
    expect(tree.read(CATALOG.events, 'utf-8')).toBe(committed);
    expect(tree.exists(CATALOG.openapi)).toBe(true);
  });

  it('writes but reports nothing when run as `nx g` (with options): Nx would call a returned value as a task', async () => {
    tree.delete(CATALOG.openapi);
    expect(await contractsSyncGenerator(tree, {})).toBeUndefined();
    expect(tree.exists(CATALOG.openapi)).toBe(true);
  });

  it('leaves a service whose chassis predates contracts alone: it gets its contract on its upgrade', async () => {
    addProjectConfiguration(tree, 'legacy', { root: 'services/legacy', tags: ['type:service', 'team:catalog'] });
    tree.write('services/legacy/src/routes/index.ts', 'export const routes = async () => undefined;\n');
    expect(await contractsSyncGenerator(tree)).toBeUndefined();
    expect(tree.exists(contractFiles('legacy').openapi)).toBe(false);
  });

  it('fails naming the service whose code cannot be described, why, and what to run once fixed', async () => {
    tree.write('services/payment/src/routes/index.ts', 'export const routes = async () => undefined;\n');
    await expect(contractsSyncGenerator(tree)).rejects.toThrow(
      /^Could not build the contract of payment from the code:\n {2}payment: src\/routes\/index\.ts must export apiVersion.*\nFix that, then write the contracts with: npx nx sync$/,
    );
  });
});
