import { afterEach, describe, expect, it } from 'vitest';
import { createGitRepo, teamsJson, type GitRepo } from '@musiccorp/core/testing/git-repo';
import { runCli } from './testing/run-cli';

let repo: GitRepo;
afterEach(() => repo?.dispose());

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const project = (name: string, team: string) => json({ name, tags: ['type:service', `team:${team}`] });
/** catalog's HTTP contract: GET /items answers an object with `properties`, all required. */
const api = (version: string, properties: Record<string, unknown>) =>
  json({
    openapi: '3.0.3',
    info: { title: 'catalog', version },
    paths: {
      '/items': {
        get: {
          responses: {
            '200': {
              description: 'the items',
              content: {
                'application/json': { schema: { type: 'object', required: Object.keys(properties), properties } },
              },
            },
          },
        },
      },
    },
  });
const CONTRACT = 'services/catalog/contract/openapi.json';

/** catalog's contract is consumed by order-processor (fulfilment, which also owns payment) and payment. */
function workspace(): GitRepo {
  repo = createGitRepo(
    {
      CODEOWNERS: [
        '* @musiccorp/platform',
        '/services/catalog/ @musiccorp/catalog',
        '/services/order-processor/ @musiccorp/fulfilment',
        '',
      ].join('\n'),
      'platform/teams.json': teamsJson(['platform', 'catalog', 'fulfilment', 'finance']),
      'services/catalog/project.json': project('catalog', 'catalog'),
      [CONTRACT]: api('1.0.0', { sku: { type: 'string' }, price: { type: 'number' } }),
      'services/order-processor/project.json': project('order-processor', 'fulfilment'),
      'services/order-processor/consumes.json': json({ http: ['catalog'] }),
      'services/payment/project.json': project('payment', 'finance'),
      'services/payment/consumes.json': json({ http: ['catalog'], events: [] }),
    },
    'owners-consumers-',
  );
  repo.commit('base');
  repo.git('checkout', '-q', '-b', 'feature');
  return repo;
}

const reviewersJson = async () => {
  const { code, stdout, stderr } = await runCli(['reviewers', '--base=main', '--json', '--repo', repo.root]);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  return JSON.parse(stdout) as { approvals: { owners: string[]; files: string[]; reasons?: string[] }[] };
};

describe('owners reviewers: consumers of a breaking contract change', () => {
  it('adds each consumer team with the reason, merging into the approval the team already gives', async () => {
    workspace();
    repo.write({
      [CONTRACT]: api('2.0.0', { sku: { type: 'integer' } }), // two breaking changes, allowed by the new major
      'services/order-processor/src/client.ts': 'moved to catalog v2\n',
    });
    repo.commit('catalog v2');
    expect((await reviewersJson()).approvals).toStrictEqual([
      { owners: ['@musiccorp/catalog'], files: [CONTRACT] },
      {
        owners: ['@musiccorp/finance'],
        files: [CONTRACT],
        reasons: ["payment consumes catalog's HTTP API: 2 breaking changes"],
      },
      {
        owners: ['@musiccorp/fulfilment'],
        files: [CONTRACT, 'services/order-processor/src/client.ts'],
        reasons: ["order-processor consumes catalog's HTTP API: 2 breaking changes"],
      },
    ]);
    const human = await runCli(['reviewers', '--base=main', '--repo', repo.root]);
    expect(human.stdout).toContain(
      `  @musiccorp/finance — 1 file\n      (payment consumes catalog's HTTP API: 2 breaking changes)\n      ${CONTRACT}`,
    );
  });

  it('asks nobody more for a non-breaking contract change', async () => {
    workspace();
    repo.write({
      [CONTRACT]: api('1.1.0', { sku: { type: 'string' }, price: { type: 'number' }, name: { type: 'string' } }),
    });
    repo.commit('an added property');
    expect((await reviewersJson()).approvals).toStrictEqual([{ owners: ['@musiccorp/catalog'], files: [CONTRACT] }]);
  });

  it('an unreadable contract is a warning: reviewers still answers from CODEOWNERS', async () => {
    workspace();
    repo.write({ [CONTRACT]: '{ "openapi": \n' });
    repo.commit('broken');
    const { code, stdout, stderr } = await runCli(['reviewers', '--base=main', '--json', '--repo', repo.root]);
    expect(code).toBe(0);
    expect(stderr).toContain(
      'owners: contract changes not classified, so no consumer team was added: services/catalog/contract/openapi.json at the head',
    );
    expect(JSON.parse(stdout).approvals).toStrictEqual([{ owners: ['@musiccorp/catalog'], files: [CONTRACT] }]);
  });
});
