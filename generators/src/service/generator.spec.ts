import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProjectConfiguration, readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { serviceGenerator } from './generator';
import type { ServiceGeneratorSchema } from './schema';
import { MAX_NAME_LENGTH } from './lib/validate-name';
import { PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';
import { ownersOf } from '../codeowners/lib/sync';
import { codeownersSyncGenerator } from '../codeowners/generator';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
const teamsJson = readFileSync(join(WORKSPACE_ROOT, 'platform/teams.json'), 'utf8');
const teamsSchema = readFileSync(join(WORKSPACE_ROOT, 'platform/teams.schema.json'), 'utf8');

function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('platform/teams.json', teamsJson);
  tree.write('platform/teams.schema.json', teamsSchema);
  tree.write('CODEOWNERS', '* @musiccorp/platform\n');
  return tree;
}

/** Everything the generator would write, as [path, content]. */
const changes = (tree: Tree) => tree.listChanges().map((change) => change.path);

describe('service generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = workspace();
  });

  it('renders the service template into services/<name> and registers the project', async () => {
    await serviceGenerator(tree, { name: 'catalog', team: 'catalog', description: 'Sells music.' });

    const project = readProjectConfiguration(tree, 'catalog');
    expect(project.root).toBe('services/catalog');
    expect(project.tags).toEqual(['type:service', 'team:catalog']);
    expect(Object.keys(project.targets ?? {})).toEqual(
      expect.arrayContaining(['build', 'test', 'serve', 'lint', 'typecheck']),
    );
    expect(project.targets?.build?.outputs).toEqual(['{projectRoot}/dist']);

    const pkg = readJson(tree, 'services/catalog/package.json');
    expect(pkg.name).toBe('@musiccorp/catalog');
    expect(pkg.description).toBe('Sells music.');
    expect(pkg.musiccorp).toEqual({ service: 'catalog', team: 'catalog', port: 3100 });
    expect(tree.exists('services/catalog/src/main.ts')).toBe(true);
    expect(tree.exists('services/catalog/Dockerfile')).toBe(true);
    expect(tree.exists('services/catalog/pipeline.json')).toBe(true);
    expect(tree.read('services/catalog/README.md', 'utf-8')).toContain('@musiccorp/catalog');
    // template sources never leak into the service
    expect(changes(tree).some((path) => path.endsWith('.hbs') || path.endsWith('template.json'))).toBe(false);
  });

  it('records where the service came from, so it can be rendered again', async () => {
    await serviceGenerator(tree, { name: 'payment', team: 'finance', port: 3200 });
    const provenance = readJson<Provenance>(tree, `services/payment/${PROVENANCE_FILE}`);
    expect(provenance.template).toBe('service');
    expect(provenance.platformVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(provenance.answers).toEqual({
      name: 'payment',
      team: 'finance',
      teamHandle: '@musiccorp/finance',
      port: 3200,
      description: 'The payment service.',
    });
  });

  it('gives the team the service folder in CODEOWNERS, rendered as the sync generator renders it', async () => {
    await serviceGenerator(tree, { name: 'order-processor', team: 'fulfilment' });
    await serviceGenerator(tree, { name: 'inventory', team: 'fulfilment' });
    const codeowners = tree.read('CODEOWNERS', 'utf-8')!;
    expect(codeowners).toContain(
      '* @musiccorp/platform\n\n# Each Nx project tagged team:<id> belongs to that team (sorted by folder; a nested project follows its parent).\n',
    );
    // one block per service, sorted: its folder, then its platform-owned files co-owned by the platform team
    const folders = codeowners.split('\n').filter((line) => line.endsWith('/ @musiccorp/fulfilment'));
    expect(folders).toEqual([
      '/services/inventory/ @musiccorp/fulfilment',
      '/services/order-processor/ @musiccorp/fulfilment',
    ]);
    expect(codeowners).toContain(
      '\n# inventory: rendered from templates/service\n/services/inventory/ @musiccorp/fulfilment\n/services/inventory/.dockerignore @musiccorp/fulfilment @musiccorp/platform\n',
    );
    expect(ownersOf(codeowners, 'services/inventory/src/routes/index.ts')).toEqual(['@musiccorp/fulfilment']);
    expect(ownersOf(codeowners, 'services/inventory/src/main.ts')).toEqual([
      '@musiccorp/fulfilment',
      '@musiccorp/platform',
    ]);
    // in sync right away: the sync generator (what `nx sync:check` runs) finds nothing to change
    expect(await codeownersSyncGenerator(tree)).toBeUndefined();
    expect(tree.read('CODEOWNERS', 'utf-8')).toBe(codeowners);
  });

  it('takes the lowest free port from 3100 up, skipping ports other services use', async () => {
    await serviceGenerator(tree, { name: 'a-one', team: 'catalog' });
    await serviceGenerator(tree, { name: 'a-two', team: 'catalog', port: 3101 });
    await serviceGenerator(tree, { name: 'a-three', team: 'catalog' });
    await serviceGenerator(tree, { name: 'a-four', team: 'catalog', port: '8080' });
    const port = (name: string) => readJson(tree, `services/${name}/package.json`).musiccorp.port;
    expect([port('a-one'), port('a-two'), port('a-three'), port('a-four')]).toEqual([3100, 3101, 3102, 8080]);
  });

  it('accepts names at the edges of the rules', async () => {
    for (const name of ['a', 'a1', 'x'.repeat(MAX_NAME_LENGTH), 'order-processor-v2', 'service-api']) {
      await serviceGenerator(tree, { name, team: 'catalog' });
      expect(tree.exists(`services/${name}/package.json`)).toBe(true);
    }
  });

  describe('refuses bad input with the fix named, writing nothing', () => {
    const bad: Array<[string, Partial<ServiceGeneratorSchema>, RegExp]> = [
      ['empty name', { name: '' }, /name is required/],
      ['blank name', { name: '   ' }, /name is required/],
      ['missing name', { name: undefined }, /name is required/],
      ['uppercase', { name: 'Catalog' }, /lowercase only\. Try "catalog"/],
      ['camelCase', { name: 'orderProcessor' }, /lowercase only\. Try "order-processor"/],
      [
        'underscore',
        { name: 'order_processor' },
        /only contain lowercase letters, digits and hyphens \(a DNS-1123 label\)\. Try "order-processor"/,
      ],
      ['dot', { name: 'order.processor' }, /only contain/],
      ['slash', { name: 'services/catalog' }, /only contain/],
      ['path traversal', { name: '../etc' }, /only contain/],
      ['space', { name: 'order processor' }, /only contain/],
      ['at sign', { name: '@musiccorp/x' }, /only contain/],
      ['unicode', { name: 'katalög' }, /only contain/],
      ['emoji', { name: 'music🎵' }, /only contain/],
      ['leading digit', { name: '1catalog' }, /must start with a letter/],
      ['leading hyphen', { name: '-catalog' }, /must start with a letter/],
      ['trailing hyphen', { name: 'catalog-' }, /must not end with a hyphen/],
      ['double hyphen', { name: 'order--processor' }, /must not contain "--"/],
      ['too long', { name: 'x'.repeat(MAX_NAME_LENGTH + 1) }, /at most 40/],
      ['reserved: services', { name: 'services' }, /reserved/],
      ['reserved: platform', { name: 'platform' }, /reserved/],
      ['reserved: generators', { name: 'generators' }, /reserved/],
      ['reserved: kube-system', { name: 'kube-system' }, /reserved/],
      ['reserved: JS keyword', { name: 'class' }, /reserved/],
      ['reserved: Windows device', { name: 'con' }, /reserved/],
      ['reserved: node', { name: 'node' }, /reserved/],
      ['unknown team', { team: 'catalogue' }, /Unknown team "catalogue"\. Use one of: platform, catalog/],
      ['empty team', { team: '' }, /--team is required/],
      [
        'missing team',
        { team: undefined },
        /--team is required: .*one of platform, catalog, .*\(e\.g\. --team=catalog\)/,
      ],
      ['port below 1024', { port: 80 }, /--port must be an integer from 1024 to 65535 \(got "80"\)/],
      ['port above 65535', { port: 70000 }, /--port must be an integer/],
      ['port not a number', { port: 'abc' }, /--port must be an integer/],
      ['port fraction', { port: 3100.5 }, /--port must be an integer/],
      ['port negative', { port: '-3100' }, /--port must be an integer/],
      ['port hex', { port: '0xC1C' }, /--port must be an integer/],
      ['port used by another service', { port: 3100 }, /Port 3100 is already used by service "existing"/],
      ['existing project', { name: 'existing' }, /A project named "existing" already exists/],
      ['existing folder', { name: 'leftover' }, /services\/leftover already exists/],
      ['multi-line description', { description: 'one\ntwo' }, /single line/],
    ];

    it.each(bad)('%s', async (_, override, message) => {
      await serviceGenerator(tree, { name: 'existing', team: 'catalog', port: 3100 });
      tree.write('services/leftover/notes.txt', 'kept');
      const before = tree.listChanges().map((change) => [change.path, change.content?.toString()]);

      const options = { name: 'fresh', team: 'catalog', ...override } as ServiceGeneratorSchema;
      await expect(serviceGenerator(tree, options)).rejects.toThrow(message);
      expect(tree.listChanges().map((change) => [change.path, change.content?.toString()])).toEqual(before);
    });

    it('covers at least 30 bad inputs', () => {
      expect(bad.length).toBeGreaterThanOrEqual(30);
    });

    it('names the fix when the teams registry is broken', async () => {
      tree.write('platform/teams.json', '{"teams": [{"id": "catalog"}]}');
      await expect(serviceGenerator(tree, { name: 'fresh', team: 'catalog' })).rejects.toThrow(
        /teams\[0\] \("catalog"\)\.handle is missing: add "handle"/,
      );
      tree.write('platform/teams.json', '{not json');
      await expect(serviceGenerator(tree, { name: 'fresh', team: 'catalog' })).rejects.toThrow(/not valid JSON/);
      tree.delete('platform/teams.json');
      await expect(serviceGenerator(tree, { name: 'fresh', team: 'catalog' })).rejects.toThrow(/teams.json is missing/);
    });
  });
});
