import { afterEach, describe, expect, it } from 'vitest';
import { CONSUMES_SCHEMA, eventTypesOf, formatConsumesProblems, loadConsumers } from './consumers';
import { checkSchema } from './json-schema';
import { createGitRepo, teamsJson, type GitRepo } from './testing/git-repo';

let repo: GitRepo;
afterEach(() => repo?.dispose());

const project = (name: string, team: string) =>
  `${JSON.stringify({ name, tags: ['type:service', `team:${team}`] }, null, 2)}\n`;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** catalog (no consumes.json), order-processor and payment (consumers), and a library that is not a service. */
function workspace(): GitRepo {
  repo = createGitRepo(
    {
      'platform/teams.json': teamsJson(['catalog', 'fulfilment', 'finance']),
      'services/catalog/project.json': project('catalog', 'catalog'),
      'services/order-processor/project.json': project('order-processor', 'fulfilment'),
      'services/order-processor/consumes.json': json({ http: ['catalog', 'payment'], events: [] }),
      'services/payment/project.json': project('payment', 'finance'),
      'services/payment/consumes.json': json({
        http: [],
        events: ['com.musiccorp.order.placed', 'com.musiccorp.order.cancelled'],
      }),
      'services/shared-lib/project.json': json({ name: 'shared-lib', tags: ['type:library'] }),
      'services/shared-lib/consumes.json': json({ http: ['nothing-checks-a-library'] }),
    },
    'consumers-',
  );
  return repo;
}

describe('loadConsumers', () => {
  it('answers who consumes a service’s HTTP API and which event types, with their teams', async () => {
    workspace();
    const { index, problems, warnings } = await loadConsumers(repo.root);
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
    expect(index.ofHttp('catalog')).toEqual([
      { service: 'order-processor', team: { id: 'fulfilment', handle: '@musiccorp/fulfilment' }, uses: ['http'] },
    ]);
    expect(index.ofHttp('order-processor')).toEqual([]);
    expect(index.ofEvents(['com.musiccorp.order.placed', 'com.musiccorp.item.created'])).toEqual([
      {
        service: 'payment',
        team: { id: 'finance', handle: '@musiccorp/finance' },
        uses: ['com.musiccorp.order.placed'],
      },
    ]);
    // A service without consumes.json consumes nothing; a library is not asked.
    expect(index.of('catalog')).toEqual({ http: [], events: [] });
    expect(index.services.map(({ service, root }) => [service, root])).toEqual([
      ['catalog', 'services/catalog'],
      ['order-processor', 'services/order-processor'],
      ['payment', 'services/payment'],
    ]);
  });

  it('reads a commit, not the working tree, when given one', async () => {
    workspace();
    const base = repo.commit('base');
    repo.write({ 'services/catalog/consumes.json': json({ http: ['payment'] }) });
    const atBase = await loadConsumers(repo.root, { commit: base });
    expect(atBase.index.ofHttp('payment').map(({ service }) => service)).toEqual(['order-processor']);
    const onDisk = await loadConsumers(repo.root);
    expect(onDisk.index.ofHttp('payment').map(({ service }) => service)).toEqual(['catalog', 'order-processor']);
  });

  it('refuses an unknown service, naming the known ones, and the service itself', async () => {
    workspace();
    const text = json({ http: ['catalgo', 'order-processor'], events: [] });
    repo.write({ 'services/order-processor/consumes.json': text });
    const { services, index, problems } = await loadConsumers(repo.root);
    expect(services.map(({ service }) => service)).toEqual(['catalog', 'order-processor', 'payment']);
    expect(index.services.map(({ service }) => service)).toEqual(['catalog', 'payment']);
    expect(formatConsumesProblems(problems)).toBe(
      [
        'services/order-processor/consumes.json:3: http[0] is not a service of this workspace (got "catalgo"). ' +
          'Fix: use one of: catalog, payment.',
        'services/order-processor/consumes.json:4: http[1] names order-processor itself. ' +
          'Fix: remove "order-processor": a service does not consume its own API.',
      ].join('\n'),
    );
  });

  it('checks the file against its schema, with the line and the fix', async () => {
    workspace();
    repo.write({
      'services/payment/consumes.json': json({ http: 'catalog', event: ['com.musiccorp.order.placed'] }),
      'services/order-processor/consumes.json': json({ events: ['OrderPlaced', 'com.musiccorp.a', 'com.musiccorp.a'] }),
    });
    const { index, problems } = await loadConsumers(repo.root);
    expect(index.services.map(({ service }) => service)).toEqual(['catalog']);
    expect(problems.map(({ file, line, message }) => `${file}:${line}: ${message}`)).toEqual([
      'services/order-processor/consumes.json:3: events[0] is not valid (got "OrderPlaced")',
      'services/order-processor/consumes.json:5: events[2] repeats "com.musiccorp.a"',
      'services/payment/consumes.json:2: http must be an array (got "catalog")',
      'services/payment/consumes.json:3: event is not a known field',
    ]);
    expect(problems[3]!.fix).toBe('remove it; known fields: http, events');
  });

  it('names a JSON syntax error’s line', async () => {
    workspace();
    repo.write({ 'services/payment/consumes.json': '{\n  "http": ["catalog",]\n}\n' });
    const { problems } = await loadConsumers(repo.root);
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'services/payment/consumes.json',
        line: 2,
        message: expect.stringMatching(/^is not valid JSON/),
      }),
    ]);
  });

  it('warns about a team that platform/teams.json does not register, and still lists the consumer', async () => {
    workspace();
    repo.write({ 'services/order-processor/project.json': project('order-processor', 'shipping') });
    const { index, warnings } = await loadConsumers(repo.root);
    expect(warnings).toEqual([
      'order-processor\'s team "shipping" (project.json tag team:shipping) is not in platform/teams.json',
    ]);
    expect(index.ofHttp('catalog')[0]!.team).toEqual({ id: 'shipping', handle: '@musiccorp/shipping' });
  });

  it('matches events on the channel addresses of an events contract', () => {
    const contract = {
      asyncapi: '3.0.0',
      channels: { OrderPlaced: { address: 'com.musiccorp.order.placed' }, Broken: null, NoAddress: {} },
    };
    expect(eventTypesOf(contract)).toEqual(['com.musiccorp.order.placed']);
    expect(eventTypesOf(undefined)).toEqual([]);
    expect(eventTypesOf({ channels: 'none' })).toEqual([]);
  });

  it('has a schema ajv enforces in full', () => {
    expect(() => checkSchema(CONSUMES_SCHEMA)).not.toThrow();
  });
});
