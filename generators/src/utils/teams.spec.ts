import { describe, expect, it } from 'vitest';
import { TEAMS_FILE, TEAMS_SCHEMA_FILE, type Team } from '@musiccorp/core/teams';
import { findTeam, readTeams, writeTeams } from './teams';
import { realFile, registryTree } from './testing';

const registry = (teams: unknown[]) => JSON.stringify({ $schema: './teams.schema.json', teams }, null, 2);
const team = (overrides: Partial<Team> = {}): Team => ({
  id: 'catalog',
  handle: '@musiccorp/catalog',
  name: 'Catalog',
  members: ['mc-catalog-lead'],
  contact: '#team-catalog',
  ...overrides,
});

describe('the teams registry as the generators read it', () => {
  it('reads this repository’s registry', () => {
    const tree = registryTree();
    expect(readTeams(tree).map((entry) => entry.id)).toContain('platform');
    expect(findTeam(tree, 'finance').handle).toBe('@musiccorp/finance');
  });

  it('writes it back byte for byte (printed like prettier, $schema kept)', () => {
    const tree = registryTree();
    writeTeams(tree, readTeams(tree));
    expect(tree.read(TEAMS_FILE, 'utf-8')).toBe(realFile(TEAMS_FILE));
  });

  // Every problem names the entry (index and id), the field and the fix, with the rules of `npm run owners -- check`.
  const broken: Array<[string, unknown[], RegExp]> = [
    [
      'a missing field',
      [{ id: 'catalog', handle: '@musiccorp/catalog' }],
      /teams\[0\] \("catalog"\)\.name is missing: add "name"/,
    ],
    [
      'a handle that is not @musiccorp/<id>',
      [team({ handle: '@musiccorp/catalogue' })],
      /teams\[0\] \("catalog"\)\.handle must be "@musiccorp\/catalog" \(got "@musiccorp\/catalogue"\)/,
    ],
    [
      'an id that is not kebab-case',
      [team({ id: 'Catalog', handle: '@musiccorp/Catalog' })],
      /teams\[0\] \("Catalog"\)\.id is not valid \(got "Catalog"\): it must match/,
    ],
    ['a repeated id', [team(), team({ name: 'Other' })], /teams\[1\] \("catalog"\)\.id repeats the id of teams\[0\]/],
    [
      'an unknown field',
      [{ ...team(), slack: '#x' }],
      /teams\[0\] \("catalog"\)\.slack is not a known field: remove it/,
    ],
    ['no members', [team({ members: [] })], /teams\[0\] \("catalog"\)\.members must have at least 1 item/],
    [
      'a member that is no GitHub username',
      [team({ members: ['not a user'] })],
      /teams\[0\] \("catalog"\)\.members\[0\] is not valid \(got "not a user"\)/,
    ],
    ['a bad contact', [team({ contact: 'team-catalog' })], /teams\[0\] \("catalog"\)\.contact is not valid/],
    ['no teams', [], /teams must have at least 1 item/],
  ];

  it.each(broken)('names the entry and field: %s', (_, teams, message) => {
    const tree = registryTree();
    tree.write(TEAMS_FILE, registry(teams));
    expect(() => readTeams(tree)).toThrow(message);
    expect(() => readTeams(tree)).toThrow(/^platform\/teams\.json does not follow platform\/teams\.schema\.json:/);
    expect(() => readTeams(tree)).toThrow(/`npm run owners -- check` shows the line of each problem/);
  });

  it('lists every problem at once', () => {
    const tree = registryTree();
    tree.write(TEAMS_FILE, registry([team({ contact: 'x' }), team({ id: 'finance', handle: '@musiccorp/fin' })]));
    expect(() => readTeams(tree)).toThrow(/catalog"\)\.contact[\s\S]*finance"\)\.handle/);
  });

  it('names the fix when the file or its schema is missing or not JSON', () => {
    const tree = registryTree();
    tree.write(TEAMS_FILE, '{"teams": [');
    expect(() => readTeams(tree)).toThrow(/platform\/teams\.json is not valid JSON/);
    tree.delete(TEAMS_FILE);
    expect(() => readTeams(tree)).toThrow(/platform\/teams\.json is missing\. Create it/);
    tree.write(TEAMS_FILE, realFile(TEAMS_FILE));
    tree.delete(TEAMS_SCHEMA_FILE);
    expect(() => readTeams(tree)).toThrow(
      /platform\/teams\.schema\.json is missing.*git checkout -- platform\/teams\.schema\.json/,
    );
  });

  it('refuses to write an invalid registry', () => {
    const tree = registryTree();
    const teams = readTeams(tree);
    expect(() => writeTeams(tree, [...teams, team({ id: 'x', handle: '@other/x' })])).toThrow(/\("x"\)\.handle/);
    expect(tree.read(TEAMS_FILE, 'utf-8')).toBe(realFile(TEAMS_FILE));
  });
});
