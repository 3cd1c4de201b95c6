/**
 * describeServices on services rendered from the real templates/service, read from memory (as a generator's Tree
 * would give them) or from disk: the child process runs their own chassis on their own routes and events catalog.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderTemplate } from '@musiccorp/core/render';
import { PLATFORM_VERSION } from '@musiccorp/core/provenance';
import { describeEachService, describeServices, type SourceReader } from './describe-service';

/** A workspace in memory: path → content, as a Tree holds it. */
function renderedServices(...names: string[]): Map<string, string> {
  const files = new Map<string, string>();
  names.forEach((name, index) => {
    const answers = {
      name,
      team: 'catalog',
      teamHandle: '@musiccorp/catalog',
      port: 3100 + index,
      description: `${name}.`,
    };
    for (const file of renderTemplate('service', { ...answers, platformVersion: PLATFORM_VERSION })) {
      files.set(`services/${name}/${file.path}`, file.content.toString('utf8'));
    }
  });
  return files;
}

const reader =
  (files: Map<string, string>): SourceReader =>
  (path) =>
    files.get(path) ?? null;

const ROUTES_WITH_SHARED_SCHEMA = `
import type { FastifyPluginAsync } from 'fastify';

export const apiVersion = '2.3.0';

export const routes: FastifyPluginAsync = async (app) => {
  app.addSchema({ $id: 'Album', type: 'object', required: ['id'], properties: { id: { type: 'string' } } });
  app.get('/albums/:albumId', { schema: { response: { 200: { $ref: 'Album#' } } } }, async () => ({ id: 'a' }));
};
`;

const EVENTS_CATALOG = `
import type { PublishedEvent } from '../chassis';

export const eventsVersion = '1.1.0';

const albumReleasedDataSchema = {
  $id: 'AlbumReleasedData',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1 } },
} as const;

export const publishedEvents: PublishedEvent[] = [
  { type: 'com.musiccorp.catalog.album-released', name: 'AlbumReleased', summary: 'Album released.', dataSchema: albumReleasedDataSchema },
];
`;

describe('describeServices', () => {
  it("builds a rendered service's contract with its own chassis: the sample routes, no events", async () => {
    const contracts = await describeServices('/nonexistent', ['catalog'], reader(renderedServices('catalog')));
    const { openapi, events } = contracts.get('catalog')!;
    expect(openapi).toMatchObject({ openapi: '3.0.3', info: { title: 'catalog', version: '1.0.0' } });
    expect(Object.keys((openapi as { paths: object }).paths)).toEqual(['/items', '/items/{id}']);
    expect(events).toMatchObject({
      asyncapi: '3.0.0',
      info: { title: 'catalog events', version: '1.0.0' },
      channels: {},
      operations: {},
      components: { messages: {} },
    });
  });

  it('reads every source through the callback, the routes and the events catalog the team declares', async () => {
    const files = renderedServices('catalog');
    files.set('services/catalog/src/routes/index.ts', ROUTES_WITH_SHARED_SCHEMA);
    files.set('services/catalog/src/events/index.ts', EVENTS_CATALOG);
    const { openapi, events } = (await describeServices('/nonexistent', ['catalog'], reader(files))).get('catalog')!;

    expect(openapi).toMatchObject({
      info: { version: '2.3.0' },
      components: { schemas: { Album: { type: 'object', required: ['id'] } } },
      paths: {
        '/albums/{albumId}': {
          get: {
            responses: { 200: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Album' } } } } },
          },
        },
      },
    });
    expect(events).toMatchObject({
      info: { version: '1.1.0' },
      channels: { AlbumReleased: { address: 'com.musiccorp.catalog.album-released' } },
      components: { messages: { AlbumReleased: { payload: { $id: 'AlbumReleasedData', required: ['id'] } } } },
    });
  });

  it('describes several services, each with its own name', async () => {
    const contracts = await describeServices(
      '/nonexistent',
      ['catalog', 'payment'],
      reader(renderedServices('catalog', 'payment')),
    );
    expect([...contracts.keys()]).toEqual(['catalog', 'payment']);
    expect(contracts.get('payment')!.openapi).toMatchObject({ info: { title: 'payment' } });
  });

  it('fails naming every service it could not describe, and why', async () => {
    const files = renderedServices('catalog', 'payment');
    files.set('services/payment/src/routes/index.ts', "export const routes = 'not a plugin';\n");
    await expect(describeServices('/nonexistent', ['catalog', 'payment', 'legacy'], reader(files))).rejects.toThrow(
      /Could not build the contract of payment, legacy from the code:\n {2}payment: src\/routes\/index\.ts must export apiVersion[^\n]*\n {2}legacy: services\/legacy\/src\/chassis\/contract\.ts is missing: .*npx nx g @musiccorp\/generators:upgrade legacy/,
    );
  });
});

describe('describeEachService', () => {
  let files: Map<string, string>;
  beforeEach(() => {
    files = renderedServices('catalog', 'payment');
  });

  const failureOf = async (routes: string) => {
    files.set('services/payment/src/routes/index.ts', routes);
    const [catalog, payment] = await describeEachService(['catalog', 'payment'], reader(files));
    // one service's failure never costs the others their contract
    expect(catalog?.contract).toBeDefined();
    return payment?.error;
  };

  it("points at the team's line when registering the routes throws", async () => {
    const routes = [
      "export const apiVersion = '1.0.0';",
      'export const routes = async () => {',
      "  throw new Error('no albums table');",
      '};',
    ].join('\n');
    expect(await failureOf(routes)).toBe('no albums table (at services/payment/src/routes/index.ts:3:9)');
  });

  it('runs the routes with an empty environment, so what needs configuration at registration fails here too', async () => {
    process.env.PAYMENT_PROVIDER_URL = 'https://psp.example';
    try {
      const routes = [
        "import { readEnv, text } from '../chassis';",
        "export const apiVersion = '1.0.0';",
        'export const routes = async () => {',
        '  readEnv({ PAYMENT_PROVIDER_URL: text() }, process.env);',
        '};',
      ].join('\n');
      expect(await failureOf(routes)).toMatch(
        /PAYMENT_PROVIDER_URL must be .*\(missing\).*read it lazily, in a handler, or give readEnv a fallback/,
      );
    } finally {
      delete process.env.PAYMENT_PROVIDER_URL;
    }
  });

  it('names the file of a syntax error and of an import it cannot find', async () => {
    expect(await failureOf('export const routes = async (app) => {\n')).toMatch(
      /^services\/payment\/src\/routes\/index\.ts:2: Unexpected end of file$/,
    );
    expect(await failureOf("export { routes, apiVersion } from './albums';\n")).toBe(
      'services/payment/src/routes/index.ts:1: cannot find "./albums", imported by services/payment/src/routes/index.ts',
    );
  });

  it('fails the services of a process that exits before answering, with what it printed', async () => {
    const routes = "process.stderr.write('bye\\n');\nprocess.exit(3);\nexport const routes = 1;\n";
    expect(await failureOf(routes)).toMatch(/exited \(code 3\) before answering:\nbye$/);
  });
});

describe('the default reader', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'describe-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reads the workspace at workspaceRoot from disk', async () => {
    for (const [path, content] of renderedServices('inventory')) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const contracts = await describeServices(root, ['inventory']);
    expect(contracts.get('inventory')!.openapi).toMatchObject({ info: { title: 'inventory' } });
  });
});
