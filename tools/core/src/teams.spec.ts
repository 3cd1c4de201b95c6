import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from './scratch-workspace';
import { checkSchema } from './json-schema';
import { buildRegistry, ownerProblem, SCHEMA_PATH, validateRegistry, type Team } from './teams';

const team = (id: string, members = [`${id}-lead`]): Team => ({
  id,
  handle: `@musiccorp/${id}`,
  name: id,
  members,
  contact: `#team-${id}`,
});
const registryText = (teams: unknown[]) => `${JSON.stringify({ teams }, null, 2)}\n`;

describe('validateRegistry', () => {
  it('accepts the workspace registry, platform/teams.json', async () => {
    const { registry, problems } = await validateRegistry(
      readFileSync(join(WORKSPACE_ROOT, 'platform/teams.json'), 'utf8'),
    );
    expect(problems).toEqual([]);
    expect(registry!.byHandle.has('@musiccorp/platform')).toBe(true);
    expect(registry!.memberOf.get('mc-catalog-lead')).toEqual(['catalog']);
  });

  it('names the entry, the field and its line for every problem', async () => {
    const text = registryText([
      team('catalog'),
      { ...team('finance'), handle: '@musiccorp/money' },
      { ...team('fulfilment'), members: [] },
      { id: 'Bad_Id', handle: '@musiccorp/Bad_Id', name: '', members: ['ok-user', 'ok-user'], contact: 'slack' },
      { ...team('catalog') },
      { id: 'nocontact', handle: '@musiccorp/nocontact', name: 'x', members: ['x'], extra: true },
    ]);
    const { registry, problems } = await validateRegistry(text);
    expect(registry).toBeNull();
    const lineOf = (needle: string, from = 0) => text.slice(0, text.indexOf(needle, from)).split('\n').length;
    expect(problems.map(({ line, message }) => [line, message])).toEqual([
      [
        lineOf('"@musiccorp/money"'),
        'teams[1] ("finance").handle must be "@musiccorp/finance" (got "@musiccorp/money")',
      ],
      [lineOf('"members": []'), 'teams[2] ("fulfilment").members must have at least 1 item'],
      [lineOf('"Bad_Id"'), 'teams[3] ("Bad_Id").id is not valid (got "Bad_Id")'],
      [lineOf('"@musiccorp/Bad_Id"'), 'teams[3] ("Bad_Id").handle is not valid (got "@musiccorp/Bad_Id")'],
      [lineOf('"name": ""'), 'teams[3] ("Bad_Id").name must not be empty'],
      [lineOf('"ok-user"', text.indexOf('"ok-user"') + 1), 'teams[3] ("Bad_Id").members[1] repeats "ok-user"'],
      [lineOf('"slack"'), 'teams[3] ("Bad_Id").contact is not valid (got "slack")'],
      [
        lineOf('"catalog"', text.indexOf('"catalog"', text.indexOf('Bad_Id'))),
        'teams[4] ("catalog").id repeats the id of teams[0]',
      ],
      [lineOf('"nocontact"') - 1, 'teams[5] ("nocontact").contact is missing'],
      [lineOf('"extra"'), 'teams[5] ("nocontact").extra is not a known field'],
    ]);
    expect(problems.every((problem) => problem.file === 'platform/teams.json' && problem.fix.length > 0)).toBe(true);
    expect(problems[0]!.fix).toBe('set "handle": "@musiccorp/finance" — the handle is the GitHub team of the id');
  });

  it('reports invalid JSON with its line', async () => {
    const { problems } = await validateRegistry('{\n  "teams": [\n    {"id": "a",}\n  ]\n}\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/^is not valid JSON/) });
  });

  it('reports a registry without teams', async () => {
    const { problems } = await validateRegistry('{"team": []}');
    expect(problems.map((problem) => problem.message)).toEqual(['teams is missing', 'team is not a known field']);
  });

  it('takes its field rules from teams.schema.json, which ajv enforces in full (strict mode)', () => {
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { $defs: { team: { required: string[] } } };
    expect(schema.$defs.team.required).toEqual(['id', 'handle', 'name', 'members', 'contact']);
    // Strict mode refuses a keyword, format or type rule it would not enforce.
    expect(() => checkSchema(schema)).not.toThrow();
  });
});

describe('ownerProblem (the ownership policy)', () => {
  const registry = buildRegistry([
    team('platform', ['mc-platform-lead']),
    team('catalog', ['mc-catalog-lead', 'shared-dev']),
    team('finance', ['shared-dev']),
  ]);

  it('accepts registered team handles and members of any team', () => {
    expect(ownerProblem('@musiccorp/catalog', registry)).toBeNull();
    expect(ownerProblem('@mc-catalog-lead', registry)).toBeNull();
    expect(ownerProblem('@shared-dev', registry)).toBeNull();
  });

  it('refuses unregistered teams, with a suggestion for near misses', () => {
    expect(ownerProblem('@musiccorp/catalogue', registry)).toEqual({
      message: 'team @musiccorp/catalogue is not in platform/teams.json',
      fix: 'did you mean @musiccorp/catalog? Otherwise register the team in platform/teams.json',
    });
    expect(ownerProblem('@MusicCorp/Catalog', registry)?.fix).toMatch(/^did you mean @musiccorp\/catalog\?/);
    expect(ownerProblem('@other-org/payments', registry)?.fix).toBe(
      'register the team in platform/teams.json or use one of: @musiccorp/platform, @musiccorp/catalog, @musiccorp/finance',
    );
  });

  it('refuses users who are in no team, and emails', () => {
    expect(ownerProblem('@stranger', registry)?.message).toBe(
      'user @stranger is not a member of any team in platform/teams.json',
    );
    expect(ownerProblem('@mc-catalog-leed', registry)?.fix).toMatch(/^did you mean @mc-catalog-lead\?/);
    expect(ownerProblem('dev@musiccorp.example', registry)?.message).toBe(
      'email owner dev@musiccorp.example cannot be checked against platform/teams.json (it lists GitHub usernames)',
    );
  });
});
