import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProjectConfiguration, readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serviceGenerator } from './generator';
import type { ServiceGeneratorSchema } from './schema';
import { MAX_NAME_LENGTH } from './lib/validate-name';
import { singleOptions } from './lib/normalize-options';
import { PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';
import { ownersOf } from '../codeowners/lib/sync';
import { codeownersSyncGenerator } from '../codeowners/generator';
import { contractsSyncGenerator } from '../contracts/generator';

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
    // The fast stage's platform checks, run from the workspace root.
    expect(project.targets?.['contract']?.options).toEqual({
      command: 'node tools/core/bin/run.mjs contract/cli check --service=catalog --declared',
    });

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

  it("writes the new service's contract from its code, so `nx sync:check` passes right after", async () => {
    await serviceGenerator(tree, { name: 'catalog', team: 'catalog' });
    const openapi = readJson(tree, 'services/catalog/contract/openapi.json');
    expect(openapi).toMatchObject({ openapi: '3.0.3', info: { title: 'catalog', version: '1.0.0' } });
    expect(Object.keys(openapi.paths)).toEqual(['/items', '/items/{id}']);
    expect(readJson(tree, 'services/catalog/contract/events.json')).toMatchObject({
      asyncapi: '3.0.0',
      info: { title: 'catalog events', version: '1.0.0' },
      channels: {},
    });
    expect(await contractsSyncGenerator(tree)).toBeUndefined();
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

  it('puts the description in the README as typed, never read as Markdown or HTML, and in package.json as is', async () => {
    const description = '<script>alert(1)</script> *Sells* _music_ | `fast` & cheap\u00a0— 🧑\u200d💻';
    await serviceGenerator(tree, { name: 'catalog', team: 'catalog', description });
    const readme = tree.read('services/catalog/README.md', 'utf-8')!;
    expect(readme.split('\n')[2]).toBe(
      '\\<script\\>alert(1)\\</script\\> \\*Sells\\* \\_music\\_ \\| \\`fast\\` \\& cheap\u00a0— 🧑\u200d💻',
    );
    expect(readJson(tree, 'services/catalog/package.json').description).toBe(description);
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
      // never trimmed: what one cannot see is refused and shown escaped
      [
        'name with a trailing newline',
        { name: 'catalog\n' },
        /Service name "catalog\\n" has whitespace or invisible characters .*never trimmed.* Try "catalog"/,
      ],
      ['name with a no-break space', { name: 'cat\u00a0alog' }, /Service name "cat\\u00a0alog" has whitespace/],
      ['name with a zero-width space', { name: 'catalog\u200b' }, /Service name "catalog\\u200b" has whitespace/],
      ['name with a leading tab', { name: '\tcatalog' }, /Service name "\\tcatalog" has whitespace/],
      ['name with a combining mark', { name: 'cata\u0301log' }, /Service name "cata\\u0301log" has whitespace/],
      ['name with a trailing space', { name: 'catalog ' }, /Service name "catalog " may only contain/],
      ['team with a trailing newline', { team: 'catalog\n' }, /--team "catalog\\n" has whitespace or invisible/],
      ['team with a no-break space', { team: '\u00a0catalog' }, /--team "\\u00a0catalog" has whitespace/],
      [
        'description with a line separator',
        { description: 'Sells\u2028music.' },
        /--description must be a single line of printable characters; "Sells\\u2028music\." has "\\u2028"/,
      ],
      ['description with a paragraph separator', { description: 'a\u2029b' }, /has "\\u2029"/],
      ['description with a vertical tab', { description: 'a\vb' }, /has "\\u000b"/],
      ['description with a form feed', { description: 'a\fb' }, /has "\\u000c"/],
      ['description with an ANSI escape', { description: '\u001b[31mred\u001b[0m' }, /has "\\u001b"\. Remove/],
      ['description with a trailing newline', { description: 'Sells music.\n' }, /has "\\n"/],
      ['description with a tab', { description: 'a\tb' }, /has "\\t"/],
      ['description with a bidi override', { description: 'a\u202eb' }, /has "\\u202e"/],
      ['description with a zero-width space', { description: 'a\u200bb' }, /has "\\u200b"/],
      ['description with DEL and NEL', { description: 'a\u007fb\u0085' }, /has "\\u007f", "\\u0085"/],
      [
        'port in exponent form',
        { port: '1e4' },
        /--port must be an integer from 1024 to 65535 \(got "1e4"\); write it in plain digits/,
      ],
      ['port with a decimal point', { port: '3100.0' }, /--port must be an integer .*\(got "3100\.0"\)/],
      ['port with a leading space', { port: ' 3100' }, /--port must be an integer .*\(got " 3100"\)/],
      ['port with a trailing newline', { port: '3100\n' }, /--port must be an integer .*\(got "3100\\n"\)/],
      ['port with a leading zero', { port: '03100' }, /--port must be an integer .*\(got "03100"\)/],
      // Nx passes an option given twice as a list (schema.json lets it through to say this)
      ['port given twice', { port: ['1', '2'] }, /--port is given 2 times \("1", "2"\); give it once\./],
      ['team given twice', { team: ['catalog', 'finance'] }, /--team is given 2 times \("catalog", "finance"\)/],
      ['description given twice', { description: ['a', 'b'] }, /--description is given 2 times/],
      ['name given twice', { name: ['a', 'b'] }, /--name is given 2 times/],
    ];

    // The service each refusal runs beside, generated once (its contract is built by running its code).
    let existing: Array<[string, Buffer | null]>;
    beforeAll(async () => {
      const generated = workspace();
      await serviceGenerator(generated, { name: 'existing', team: 'catalog', port: 3100 });
      existing = generated.listChanges().map((change) => [change.path, change.content]);
    });

    it.each(bad)('%s', async (_, override, message) => {
      for (const [path, content] of existing) if (content) tree.write(path, content);
      tree.write('services/leftover/notes.txt', 'kept');
      const before = tree.listChanges().map((change) => [change.path, change.content?.toString()]);

      const options = { name: 'fresh', team: 'catalog', ...override } as ServiceGeneratorSchema;
      await expect(serviceGenerator(tree, options)).rejects.toThrow(message);
      expect(tree.listChanges().map((change) => [change.path, change.content?.toString()])).toEqual(before);
    });

    it('reads an option back as typed when Nx has made a number of it, and refuses a repeated one', () => {
      const argv = (...options: string[]) => ['node', 'nx', 'g', 'service', 'fresh', '--team=catalog', ...options];
      // what Nx passes for each command line, and what the generator then checks
      expect(singleOptions({ name: 'fresh', team: 'catalog', port: 10000 }, argv('--port=1e4')).port).toBe('1e4');
      expect(singleOptions({ name: 'fresh', team: 'catalog', port: 3100 }, argv('--port', '3100.0')).port).toBe(
        '3100.0',
      );
      expect(singleOptions({ name: 'fresh', team: 'catalog', port: 3100 }, argv('--port=3100')).port).toBe('3100');
      expect(singleOptions({ name: 'fresh', team: 'catalog', port: 3100 }, argv()).port).toBe(3100);
      expect(
        singleOptions({ name: 'fresh', team: 'catalog', description: 42 as never }, argv('--description=042')),
      ).toMatchObject({ description: '042' });
      expect(() => singleOptions({ name: 'fresh', port: [1, 2] as never }, argv('--port=1', '--port=2.0'))).toThrow(
        '--port is given 2 times ("1", "2.0"); give it once.',
      );
      // a value that does not match the command line is the caller's own, kept as passed
      expect(singleOptions({ name: 'fresh', team: 'catalog', port: 3200 }, argv('--port=1e4')).port).toBe(3200);
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
