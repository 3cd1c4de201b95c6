import type { ProjectGraphProjectNode } from 'nx/src/config/project-graph.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createGitRepo, teamsJson, type GitRepo } from '@musiccorp/core/testing/git-repo';
import { touchContractConsumers } from './contracts';
import { Touches } from './reasons';

let repo: GitRepo;
afterEach(() => repo?.dispose());

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const SERVICES = { catalog: 'catalog', 'order-processor': 'fulfilment', payment: 'finance', shipping: 'fulfilment' };
const node = (name: string, targets = ['test', 'contract']): ProjectGraphProjectNode => ({
  name,
  type: 'app',
  data: {
    root: `services/${name}`,
    tags: ['type:service'],
    targets: Object.fromEntries(targets.map((target) => [target, {}])),
  },
});
const nodes = {
  catalog: node('catalog'),
  'order-processor': node('order-processor'),
  payment: node('payment'),
  shipping: node('shipping', ['test']), // not upgraded: no contract target yet
};
const events = (...types: string[]) =>
  json({ asyncapi: '3.0.0', channels: Object.fromEntries(types.map((type) => [type, { address: type }])) });

/** order-processor calls catalog; payment consumes order events; shipping calls catalog and consumes one event. */
function workspace(): GitRepo {
  repo = createGitRepo(
    {
      'platform/teams.json': teamsJson(['catalog', 'fulfilment', 'finance']),
      ...Object.fromEntries(
        Object.entries(SERVICES).map(([name, team]) => [
          `services/${name}/project.json`,
          json({ name, tags: ['type:service', `team:${team}`] }),
        ]),
      ),
      'services/order-processor/consumes.json': json({ http: ['catalog'] }),
      'services/payment/consumes.json': json({
        events: ['com.musiccorp.order.placed', 'com.musiccorp.order.cancelled'],
      }),
      'services/shipping/consumes.json': json({ http: ['catalog'], events: ['com.musiccorp.order.shipped'] }),
    },
    'affected-contracts-',
  );
  return repo;
}

async function touched(files: string[], sides: Record<string, { base: string; head: string }> = {}) {
  const touches = new Touches();
  const warnings: string[] = [];
  const read = { base: (file: string) => sides[file]?.base ?? '', head: (file: string) => sides[file]?.head ?? '' };
  await touchContractConsumers(
    repo.root,
    files.map((file) => ({ file, status: 'modified' as const })),
    nodes,
    read,
    touches,
    warnings,
  );
  const causes = Object.fromEntries(
    [...touches.direct].map(([project, list]) => [project, list.map(({ text, targets }) => ({ text, targets }))]),
  );
  return { causes, warnings };
}

describe('touchContractConsumers', () => {
  it("affects the services that call a changed HTTP contract, for their contract check (the producer's own file does that for it)", async () => {
    workspace();
    const file = 'services/catalog/contract/openapi.json';
    expect(await touched([file, 'services/catalog/src/routes/items.ts'])).toEqual({
      causes: {
        'order-processor': [
          {
            text: "consumes catalog's HTTP contract (services/catalog/contract/openapi.json changed)",
            targets: ['contract'],
          },
        ],
        shipping: [
          { text: "consumes catalog's HTTP contract (services/catalog/contract/openapi.json changed)", targets: [] },
        ],
      },
      warnings: [],
    });
  });

  it('affects the consumers of an event type the contract declares at the base or the head', async () => {
    workspace();
    const file = 'services/order-processor/contract/events.json';
    const { causes } = await touched([file], {
      [file]: {
        base: events('com.musiccorp.order.placed', 'com.musiccorp.order.shipped'),
        head: events('com.musiccorp.order.placed', 'com.musiccorp.order.cancelled'), // shipped removed, cancelled new
      },
    });
    expect(causes).toEqual({
      payment: [
        {
          text: "consumes order-processor's events com.musiccorp.order.cancelled, com.musiccorp.order.placed (services/order-processor/contract/events.json changed)",
          targets: ['contract'],
        },
      ],
      shipping: [
        {
          text: "consumes order-processor's events com.musiccorp.order.shipped (services/order-processor/contract/events.json changed)",
          targets: [],
        },
      ],
    });
  });

  it('touches nothing for other files, and warns about a consumes.json it cannot read', async () => {
    workspace();
    expect(await touched(['services/catalog/src/routes/items.ts', 'services/catalog/contract/README.md'])).toEqual({
      causes: {},
      warnings: [],
    });
    repo.write({ 'services/shipping/consumes.json': json({ http: ['catalogue'] }) });
    const { causes, warnings } = await touched(['services/catalog/contract/openapi.json']);
    expect(Object.keys(causes)).toEqual(['order-processor']);
    expect(warnings).toEqual([
      'services/shipping/consumes.json: http[0] is not a service of this workspace (got "catalogue") — its service ' +
        'is not checked as a consumer of changed contracts (`npm run contract -- check` names the fix).',
    ]);
  });
});
