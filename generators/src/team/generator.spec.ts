import { addProjectConfiguration, readJson, type Tree } from '@nx/devkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { teamGenerator } from './generator';
import type { TeamGeneratorSchema } from './schema';
import { codeownersSyncGenerator } from '../codeowners/generator';
import { CODEOWNERS_FILE, EXTRA_FILE } from '../codeowners/lib/render';
import { ownersOf } from '../codeowners/lib/sync';
import { serviceGenerator } from '../service/generator';
import { TEAMS_FILE, type Team } from '@musiccorp/core/teams';
import { readTeams } from '../utils/teams';
import { pendingChanges, realFile, registryTree } from '../utils/testing';

const ROYALTIES: Team = {
  id: 'royalties',
  handle: '@musiccorp/royalties',
  name: 'Royalties',
  members: ['alice', 'bob'],
  contact: '#team-royalties',
};

describe('team generator: add', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = registryTree();
  });

  it('appends the team to platform/teams.json, leaving the other entries as they were', async () => {
    await teamGenerator(tree, { id: 'royalties', members: 'alice,bob', name: 'Royalties', contact: '#team-royalties' });
    const teams = readJson<{ teams: Team[] }>(tree, TEAMS_FILE).teams;
    expect(teams.at(-1)).toEqual(ROYALTIES);
    // the old text with the new entry after the last one, printed like prettier
    const entry =
      '    {\n      "id": "royalties",\n      "handle": "@musiccorp/royalties",\n      "name": "Royalties",\n      "members": ["alice", "bob"],\n      "contact": "#team-royalties"\n    }';
    expect(tree.read(TEAMS_FILE, 'utf-8')).toBe(
      realFile(TEAMS_FILE).replace(/\n {2}\]\n\}\n$/, `,\n${entry}\n  ]\n}\n`),
    );
  });

  it('defaults the handle, name and contact from the id; takes members comma- or space-separated, with or without @', async () => {
    await teamGenerator(tree, { id: 'rights-management', members: ' @alice, bob alice ' });
    expect(readTeams(tree).at(-1)).toEqual({
      id: 'rights-management',
      handle: '@musiccorp/rights-management',
      name: 'Rights Management',
      members: ['alice', 'bob'],
      contact: '#team-rights-management',
    });
  });

  it('accepts the handle when it is the one of the id, members as a list and an email contact', async () => {
    await teamGenerator(tree, {
      id: 'royalties',
      handle: '@musiccorp/royalties',
      members: ['alice'],
      contact: 'royalties@musiccorp.example',
    });
    expect(readTeams(tree).at(-1)).toMatchObject({ members: ['alice'], contact: 'royalties@musiccorp.example' });
  });

  it('leaves CODEOWNERS in sync, and the new team can own a service right away', async () => {
    await teamGenerator(tree, { id: 'royalties', members: 'alice' });
    expect(await codeownersSyncGenerator(tree)).toBeUndefined();
    await serviceGenerator(tree, { name: 'royalty-ledger', team: 'royalties' });
    const codeowners = tree.read(CODEOWNERS_FILE, 'utf-8')!;
    expect(ownersOf(codeowners, 'services/royalty-ledger/src/routes/index.ts')).toEqual(['@musiccorp/royalties']);
    expect(ownersOf(codeowners, 'services/royalty-ledger/src/main.ts')).toEqual([
      '@musiccorp/royalties',
      '@musiccorp/platform',
    ]);
    expect(await codeownersSyncGenerator(tree)).toBeUndefined();
  });

  describe('refuses, naming the fix, and writes nothing', () => {
    const bad: Array<[string, Partial<TeamGeneratorSchema>, RegExp]> = [
      ['no id', { id: '' }, /A team id is required, e\.g\./],
      [
        'a duplicate id',
        { id: 'catalog' },
        /Team "catalog" already exists in platform\/teams\.json \(@musiccorp\/catalog, "Catalog"\)/,
      ],
      ['uppercase', { id: 'Royalties' }, /Team id "Royalties" must be kebab-case.* Try "royalties"\./],
      ['camelCase', { id: 'rightsManagement' }, /must be kebab-case.* Try "rights-management"\./],
      ['underscore', { id: 'rights_management' }, /must be kebab-case.* Try "rights-management"\./],
      ['leading digit', { id: '1team' }, /must be kebab-case.*starting with a letter/],
      ['trailing hyphen', { id: 'royalties-' }, /must be kebab-case/],
      ['double hyphen', { id: 'rights--management' }, /must be kebab-case/],
      ['a handle path', { id: '@musiccorp/royalties' }, /must be kebab-case/],
      [
        'another organisation',
        { handle: '@other/royalties' },
        /--handle must be "@musiccorp\/royalties" \(got "@other\/royalties"\)/,
      ],
      ['a handle of another id', { handle: '@musiccorp/royalty' }, /--handle must be "@musiccorp\/royalties"/],
      ['no members', { members: undefined }, /--members is required: the GitHub usernames of the team/],
      ['only separators', { members: ' , ' }, /--members is required/],
      [
        'a member that is no GitHub username',
        { members: 'alice,b_o_b' },
        /--members \(item 2, "b_o_b"\) is not valid \(got "b_o_b"\): it must match/,
      ],
      [
        'a contact that is neither channel nor email',
        { contact: 'team-royalties' },
        /--contact is not valid \(got "team-royalties"\)/,
      ],
      ['a multi-line name', { name: 'Royalties\nand more' }, /--name must be a single line/],
    ];

    it.each(bad)('%s', async (_, override, message) => {
      await teamGenerator(tree, { id: 'finance-ops', members: 'carol' });
      const before = pendingChanges(tree);
      const options = { id: 'royalties', members: 'alice', ...override } as TeamGeneratorSchema;
      await expect(teamGenerator(tree, options)).rejects.toThrow(message);
      expect(pendingChanges(tree)).toEqual(before);
    });

    it('a broken registry, naming the entry and the field', async () => {
      tree.write(TEAMS_FILE, realFile(TEAMS_FILE).replace('"@musiccorp/finance"', '"@musiccorp/financial"'));
      const before = pendingChanges(tree);
      await expect(teamGenerator(tree, { id: 'royalties', members: 'alice' })).rejects.toThrow(
        /teams\[3\] \("finance"\)\.handle must be "@musiccorp\/finance" \(got "@musiccorp\/financial"\)/,
      );
      expect(pendingChanges(tree)).toEqual(before);
    });
  });
});

describe('team generator: --remove', () => {
  let tree: Tree;
  beforeEach(async () => {
    tree = registryTree();
    await teamGenerator(tree, { id: 'royalties', members: 'alice' });
  });

  it('removes a team that owns nothing, and leaves CODEOWNERS in sync', async () => {
    await teamGenerator(tree, { id: 'royalties', remove: true });
    expect(readTeams(tree).map((team) => team.id)).not.toContain('royalties');
    expect(tree.read(TEAMS_FILE, 'utf-8')).toBe(realFile(TEAMS_FILE));
    expect(await codeownersSyncGenerator(tree)).toBeUndefined();
  });

  describe('refuses, naming the fix, and writes nothing', () => {
    const cases: Array<[string, (tree: Tree) => Promise<void> | void, TeamGeneratorSchema, RegExp]> = [
      [
        'a team that still owns services, listing them',
        async (t) => {
          await serviceGenerator(t, { name: 'royalty-ledger', team: 'royalties' });
          await serviceGenerator(t, { name: 'payouts', team: 'royalties' });
        },
        { id: 'royalties', remove: true },
        /Team "royalties" still owns 2 services: payouts \(services\/payouts\), royalty-ledger \(services\/royalty-ledger\)\. Give each to another team first, e\.g\. npx nx g @musiccorp\/generators:transfer payouts --to=<team>/,
      ],
      [
        'a team that still owns a non-service project',
        (t) => addProjectConfiguration(t, 'royalty-docs', { root: 'docs/royalties', tags: ['team:royalties'] }),
        { id: 'royalties', remove: true },
        /Team "royalties" still owns 1 project: royalty-docs \(docs\/royalties\)/,
      ],
      [
        'a team named in platform/codeowners.extra',
        (t) => t.write(EXTRA_FILE, '# ledger\n\n/docs/royalties.md @musiccorp/royalties\n'),
        { id: 'royalties', remove: true },
        /platform\/codeowners\.extra still names @musiccorp\/royalties \(line 3\)/,
      ],
      [
        'the platform team',
        () => undefined,
        { id: 'platform', remove: true },
        /Team "platform" cannot be removed: it owns everything no project claims/,
      ],
      [
        'an unknown team',
        () => undefined,
        { id: 'royalty', remove: true },
        /Unknown team "royalty": platform\/teams\.json lists platform, catalog, .*royalties/,
      ],
      [
        'options that only adding takes',
        () => undefined,
        { id: 'royalties', remove: true, members: 'alice' },
        /--remove takes only the team id; drop --members/,
      ],
    ];

    it.each(cases)('%s', async (_, arrange, options, message) => {
      await arrange(tree);
      const before = pendingChanges(tree);
      await expect(teamGenerator(tree, options)).rejects.toThrow(message);
      expect(pendingChanges(tree)).toEqual(before);
    });
  });
});
