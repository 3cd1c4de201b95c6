import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { addProjectConfiguration, readJson, readProjectConfiguration, type Tree } from '@nx/devkit';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { transferGenerator } from './generator';
import type { TransferGeneratorSchema } from './schema';
import { checkDrift } from '../drift/drift';
import { codeownersSyncGenerator } from '../codeowners/generator';
import { CODEOWNERS_FILE } from '../codeowners/lib/render';
import { ownersOf } from '../codeowners/lib/sync';
import { serviceGenerator } from '../service/generator';
import { PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';
import { pendingChanges, registryTree, WORKSPACE_ROOT } from '../utils/testing';

const temporary: string[] = [];
afterAll(() => temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** Copies the Tree's files under `folder` to a real folder, so the drift check (which reads disk) can look at them. */
function materialize(tree: Tree, folder: string): string {
  const root = tempDir('transfer-');
  const visit = (dir: string) => {
    for (const child of tree.children(dir)) {
      const path = `${dir}/${child}`;
      if (tree.isFile(path)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), tree.read(path)!);
      } else visit(path);
    }
  };
  visit(folder);
  return root;
}

describe('transfer generator', () => {
  let tree: Tree;
  let generated: Map<string, string | null>;
  beforeEach(async () => {
    tree = registryTree();
    await serviceGenerator(tree, { name: 'payment', team: 'finance', port: 3200 });
    await serviceGenerator(tree, { name: 'catalog', team: 'catalog' });
    generated = new Map(pendingChanges(tree).map(([path, , content]) => [path, content]));
  });

  it('moves everything that names the owner, and nothing else', async () => {
    await transferGenerator(tree, { service: 'payment', to: 'fulfilment' });
    const changed = tree
      .listChanges()
      .filter((change) => generated.get(change.path) !== change.content?.toString())
      .map((change) => change.path)
      .sort();
    expect(changed).toEqual([
      'CODEOWNERS',
      'services/payment/Dockerfile',
      'services/payment/README.md',
      'services/payment/package.json',
      'services/payment/pipeline.json',
      'services/payment/project.json',
      `services/payment/${PROVENANCE_FILE}`,
    ]);

    expect(readProjectConfiguration(tree, 'payment').tags).toEqual(['type:service', 'team:fulfilment']);
    expect(tree.read('services/payment/README.md', 'utf-8')).toContain(
      '\nOwner: @musiccorp/fulfilment (team fulfilment)\n',
    );
    expect(readJson(tree, 'services/payment/pipeline.json')).toMatchObject({
      service: 'payment',
      team: 'fulfilment',
      owner: '@musiccorp/fulfilment',
    });
    expect(readJson(tree, 'services/payment/package.json').musiccorp).toEqual({
      service: 'payment',
      team: 'fulfilment',
      port: 3200,
    });
    expect(tree.read('services/payment/Dockerfile', 'utf-8')).toContain('io.musiccorp.team="fulfilment"');
    expect(readJson<Provenance>(tree, `services/payment/${PROVENANCE_FILE}`).answers).toEqual({
      name: 'payment',
      team: 'fulfilment',
      teamHandle: '@musiccorp/fulfilment',
      port: 3200,
      description: 'The payment service.',
    });
    const codeowners = tree.read(CODEOWNERS_FILE, 'utf-8')!;
    expect(codeowners).toContain('\n/services/payment/ @musiccorp/fulfilment\n');
    expect(ownersOf(codeowners, 'services/payment/src/routes/index.ts')).toEqual(['@musiccorp/fulfilment']);
    // platform-owned: the new team and the platform team
    expect(ownersOf(codeowners, 'services/payment/src/main.ts')).toEqual([
      '@musiccorp/fulfilment',
      '@musiccorp/platform',
    ]);
  });

  it('leaves CODEOWNERS in sync (what `nx sync:check` checks)', async () => {
    await transferGenerator(tree, { service: 'payment', to: 'fulfilment' });
    expect(await codeownersSyncGenerator(tree)).toBeUndefined();
  });

  it('keeps the drift check clean: the platform-owned files match a render of the recorded answers', async () => {
    await transferGenerator(tree, { service: 'payment', to: 'fulfilment' });
    const root = materialize(tree, 'services/payment');
    expect(checkDrift(root, 'services/payment').findings).toEqual([]);

    // and the check would notice without the provenance update: package.json and the Dockerfile name the team
    const provenancePath = join(root, 'services/payment', PROVENANCE_FILE);
    const provenance = JSON.parse(readFileSync(provenancePath, 'utf8')) as Provenance;
    writeFileSync(
      provenancePath,
      JSON.stringify({
        ...provenance,
        answers: { ...provenance.answers, team: 'finance', teamHandle: '@musiccorp/finance' },
      }),
    );
    expect(
      checkDrift(root, 'services/payment')
        .findings.map((finding) => finding.file)
        .sort(),
    ).toEqual(['Dockerfile', 'package.json']);
  });

  it('can move a service back and forth', async () => {
    const before = new Map(generated);
    await transferGenerator(tree, { service: 'payment', to: 'catalog' });
    await transferGenerator(tree, { service: 'payment', to: 'finance' });
    for (const path of [...before.keys()].filter((path) => path.startsWith('services/payment/'))) {
      expect(tree.read(path, 'utf-8'), path).toBe(before.get(path));
    }
  });

  it('warns and carries on when the team rewrote its README without an owner line', async () => {
    tree.write('services/payment/README.md', '# payment\n\nOurs now.\n');
    await transferGenerator(tree, { service: 'payment', to: 'fulfilment' });
    expect(tree.read('services/payment/README.md', 'utf-8')).toBe('# payment\n\nOurs now.\n');
    expect(readProjectConfiguration(tree, 'payment').tags).toContain('team:fulfilment');
  });

  describe('refuses, naming the fix, and writes nothing', () => {
    const cases: Array<[string, (tree: Tree) => void, Partial<TransferGeneratorSchema>, RegExp]> = [
      [
        'an unknown service',
        () => undefined,
        { service: 'payments' },
        /Unknown service "payments"\. Services: catalog, payment\./,
      ],
      [
        'a project that is not a service',
        (t) => addProjectConfiguration(t, 'tools', { root: 'tools', tags: ['type:platform'] }),
        { service: 'tools' },
        /"tools" \(tools\) is not a service: only projects tagged type:service are transferred/,
      ],
      ['no service', () => undefined, { service: ' ' }, /Name the service to transfer/],
      [
        'an unknown team',
        () => undefined,
        { to: 'fulfillment' },
        /Unknown team "fulfillment"\. Use one of: platform, catalog, fulfilment/,
      ],
      ['no team', () => undefined, { to: '' }, /--to is required/],
      [
        'a handle instead of an id',
        () => undefined,
        { to: '@musiccorp/fulfilment' },
        /--to takes a team id, not a handle: try --to=fulfilment/,
      ],
      [
        'the current owner',
        () => undefined,
        { to: 'finance' },
        /Service "payment" already belongs to team finance \(@musiccorp\/finance\): nothing to transfer/,
      ],
      [
        'a service without provenance',
        (t) => t.delete(`services/payment/${PROVENANCE_FILE}`),
        {},
        /services\/payment\/template-provenance\.json is missing: without the template answers/,
      ],
      [
        'a provenance that disagrees with the tag',
        (t) =>
          t.write(
            `services/payment/${PROVENANCE_FILE}`,
            tree
              .read(`services/payment/${PROVENANCE_FILE}`, 'utf-8')!
              .replace('"team": "finance"', '"team": "catalog"'),
          ),
        {},
        /tagged team:finance, but services\/payment\/template-provenance\.json records team "catalog"/,
      ],
      [
        'a hand-edited platform-owned file the transfer would re-render',
        (t) => t.write('services/payment/Dockerfile', `${t.read('services/payment/Dockerfile', 'utf-8')}# patched\n`),
        {},
        /services\/payment\/Dockerfile: platform-owned, and no longer as templates\/ in the working tree .* rendered it \(a hand edit\)/,
      ],
      [
        'an invalid pipeline.json',
        (t) => t.write('services/payment/pipeline.json', '{"team": '),
        {},
        /services\/payment\/pipeline\.json is not valid JSON/,
      ],
      [
        'a broken teams registry',
        (t) => t.write('platform/teams.json', '{"teams": [{"id": "finance"}]}'),
        {},
        /teams\[0\] \("finance"\)\.handle is missing/,
      ],
    ];

    it.each(cases)('%s', async (_, arrange, override, message) => {
      arrange(tree);
      const before = pendingChanges(tree);
      const options = { service: 'payment', to: 'fulfilment', ...override } as TransferGeneratorSchema;
      await expect(transferGenerator(tree, options)).rejects.toThrow(message);
      expect(pendingChanges(tree)).toEqual(before);
    });
  });
});

describe('transfer of a committed service', () => {
  it('re-renders from the template revision its provenance records, and the drift check stays clean', async () => {
    // A clone of this repository (history shared, so the recorded commit is there) with the working tree's service.
    const clone = tempDir('transfer-clone-');
    execFileSync('git', ['clone', '-q', '--shared', WORKSPACE_ROOT, clone]);
    for (const path of ['services/catalog', 'platform/teams.json', 'platform/teams.schema.json']) {
      cpSync(join(WORKSPACE_ROOT, path), join(clone, path), { recursive: true });
    }
    const provenance = JSON.parse(readFileSync(join(clone, 'services/catalog', PROVENANCE_FILE), 'utf8')) as Provenance;
    expect(provenance.platformCommit).toMatch(/^[0-9a-f]{40}$/);

    const tree = new FsTree(clone, false);
    await transferGenerator(tree, { service: 'catalog', to: 'finance' });
    flushChanges(clone, tree.listChanges());

    const report = checkDrift(clone, 'services/catalog');
    expect(report.comparedWith).toBe(`templates/ at ${provenance.platformCommit!.slice(0, 12)}`);
    expect(report.findings).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(clone, 'services/catalog/package.json'), 'utf8')) as {
      musiccorp: { team: string };
    };
    expect(pkg.musiccorp.team).toBe('finance');
    const recorded = JSON.parse(readFileSync(join(clone, 'services/catalog', PROVENANCE_FILE), 'utf8')) as Provenance;
    expect(recorded).toEqual({
      ...provenance,
      answers: { ...provenance.answers, team: 'finance', teamHandle: '@musiccorp/finance' },
    });
    expect(ownersOf(readFileSync(join(clone, CODEOWNERS_FILE), 'utf8'), 'services/catalog/src/app.ts')).toEqual([
      '@musiccorp/finance',
    ]);
  });
});
