// Platform-owned: tests of the contract builders. Changes come from templates/service on upgrade, not by hand.
import type { FastifyPluginAsync } from 'fastify';
import { describe, expect, it } from 'vitest';
import { readEnv, text } from '../../src/chassis/config';
import { eventsDocument, openApiDocument } from '../../src/chassis/contract';
import { ERROR_RESPONSE_SCHEMA } from '../../src/chassis/errors';
import { serviceInfo } from '../../src/chassis/service-info';

const album = {
  $id: 'Album',
  type: 'object',
  required: ['id', 'title'],
  properties: { id: { type: 'string' }, title: { type: 'string' } },
} as const;

const albums: FastifyPluginAsync = async (app) => {
  app.addSchema(album);
  app.get('/albums/:albumId', { schema: { response: { 200: { $ref: 'Album#' } } } }, async () => ({}));
  app.post(
    '/albums',
    {
      schema: {
        body: { type: 'object', properties: { title: { type: 'string' } } },
        response: { 201: { $ref: 'Album#' } },
      },
    },
    async () => ({}),
  );
};

const tracks: FastifyPluginAsync = async (app) => {
  app.get('/tracks', { schema: { response: { 200: { type: 'array', items: { type: 'string' } } } } }, async () => []);
};

describe('openApiDocument', () => {
  it("documents the team's routes alone, as OpenAPI 3.0.3 titled by the service at the declared API version", async () => {
    const routes: FastifyPluginAsync = async (app) => {
      await app.register(albums);
      await app.register(tracks);
    };
    const document = await openApiDocument({ routes, apiVersion: '2.1.0' });
    expect(document).toMatchObject({ openapi: '3.0.3', info: { title: serviceInfo.name, version: '2.1.0' } });
    // the chassis' /health/* and /metrics are the platform's, not the API
    expect(Object.keys(document.paths as object)).toEqual(['/albums', '/albums/{albumId}', '/tracks']);
  });

  it('names a shared schema by its $id in components.schemas, never def-<n>', async () => {
    const document = await openApiDocument({ routes: albums, apiVersion: '1.0.0' });
    const { $id: _, ...albumWithoutId } = album;
    expect(document.components).toEqual({
      schemas: { Album: expect.objectContaining(albumWithoutId), ErrorResponse: ERROR_RESPONSE_SCHEMA },
    });
    expect(JSON.stringify(document)).not.toContain('def-');
    const reply = (document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)[
      '/albums/{albumId}'
    ]?.get?.responses['200'];
    expect(reply).toEqual({
      description: 'Default Response',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Album' } } },
    });
  });

  it("declares the chassis' error shape as every operation's default response, unless the route has its own", async () => {
    const teapot = { type: 'object', properties: { brewing: { type: 'boolean' } } } as const;
    const routes: FastifyPluginAsync = async (app) => {
      await app.register(albums);
      app.get('/teapot', { schema: { response: { default: teapot } } }, async () => ({}));
    };
    const document = await openApiDocument({ routes, apiVersion: '1.0.0' });
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const chassisError = {
      description: 'An error, in the chassis error shape (any 4xx or 5xx status)',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
    };
    expect(paths['/albums']?.post?.responses.default).toEqual(chassisError);
    expect(paths['/albums/{albumId}']?.get?.responses.default).toEqual(chassisError);
    expect(paths['/teapot']?.get?.responses.default).toMatchObject({
      content: { 'application/json': { schema: teapot } },
    });
    expect((document.components as { schemas: object }).schemas).toHaveProperty('ErrorResponse', ERROR_RESPONSE_SCHEMA);
  });

  it('is the same whatever order the routes register in', async () => {
    const forwards: FastifyPluginAsync = async (app) => {
      await app.register(albums);
      await app.register(tracks);
    };
    const backwards: FastifyPluginAsync = async (app) => {
      await app.register(tracks);
      await app.register(albums);
    };
    const [one, other] = await Promise.all([
      openApiDocument({ routes: forwards, apiVersion: '1.0.0' }),
      openApiDocument({ routes: backwards, apiVersion: '1.0.0' }),
    ]);
    expect(JSON.stringify(other)).toBe(JSON.stringify(one));
  });

  it.each([
    [
      'no apiVersion',
      undefined,
      /src\/routes\/index\.ts must export apiVersion.*it exports none.*export const apiVersion = '1\.0\.0';/,
    ],
    ['a version that is not MAJOR.MINOR.PATCH', 'v1', /MAJOR\.MINOR\.PATCH \(got "v1"\)/],
    ['a number', 1, /MAJOR\.MINOR\.PATCH \(got 1\)/],
  ])('refuses %s, naming the fix', async (_, apiVersion, message) => {
    await expect(openApiDocument({ routes: tracks, apiVersion })).rejects.toThrow(message);
  });

  it('refuses a routes export that is not a plugin', async () => {
    await expect(openApiDocument({ routes: undefined, apiVersion: '1.0.0' })).rejects.toThrow(
      /src\/routes\/index\.ts must export `routes`/,
    );
  });

  it('says how to fix routes that read a required variable while registering', async () => {
    const readsConfig: FastifyPluginAsync = async () => {
      readEnv({ CATALOG_DATABASE_URL: text() }, {});
    };
    await expect(openApiDocument({ routes: readsConfig, apiVersion: '1.0.0' })).rejects.toThrow(
      /CATALOG_DATABASE_URL must be .*read it lazily, in a handler, or give readEnv a fallback/,
    );
  });
});

const orderPlacedData = {
  $id: 'OrderPlacedData',
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1 } },
} as const;

describe('eventsDocument', () => {
  it('describes each published event as an AsyncAPI 3 channel, send operation and message with its data schema', () => {
    const document = eventsDocument({
      eventsVersion: '1.2.0',
      publishedEvents: [
        {
          type: 'com.musiccorp.order.placed',
          name: 'OrderPlaced',
          summary: 'An order was placed.',
          dataSchema: orderPlacedData,
        },
      ],
    });
    expect(document).toEqual({
      asyncapi: '3.0.0',
      info: {
        title: `${serviceInfo.name} events`,
        version: '1.2.0',
        description: `CloudEvents 1.0 (structured JSON) published by ${serviceInfo.name}; each message's payload is the event's \`data\`.`,
      },
      defaultContentType: 'application/json',
      channels: {
        OrderPlaced: {
          address: 'com.musiccorp.order.placed',
          messages: { OrderPlaced: { $ref: '#/components/messages/OrderPlaced' } },
        },
      },
      operations: {
        publishOrderPlaced: {
          action: 'send',
          channel: { $ref: '#/channels/OrderPlaced' },
          messages: [{ $ref: '#/channels/OrderPlaced/messages/OrderPlaced' }],
        },
      },
      components: {
        messages: {
          OrderPlaced: {
            name: 'com.musiccorp.order.placed',
            title: 'OrderPlaced',
            summary: 'An order was placed.',
            contentType: 'application/json',
            payload: orderPlacedData,
          },
        },
      },
    });
  });

  it('lists events by name, whatever their order in the catalog', () => {
    const event = (name: string) => ({
      type: `com.musiccorp.test.${name.toLowerCase()}`,
      name,
      summary: '',
      dataSchema: {},
    });
    const document = eventsDocument({ eventsVersion: '1.0.0', publishedEvents: [event('Shipped'), event('Placed')] });
    expect(Object.keys(document.channels as object)).toEqual(['Placed', 'Shipped']);
  });

  it('is empty, at version 1.0.0, for a service without an events catalog', () => {
    expect(eventsDocument()).toMatchObject({
      info: { version: '1.0.0' },
      channels: {},
      operations: {},
      components: { messages: {} },
    });
  });

  it.each([
    ['no eventsVersion', { eventsVersion: undefined, publishedEvents: [] }, /must export eventsVersion/],
    ['no publishedEvents', { eventsVersion: '1.0.0', publishedEvents: undefined }, /must export `publishedEvents`/],
    [
      'an entry without a type or schema',
      { eventsVersion: '1.0.0', publishedEvents: [{ name: 'OrderPlaced', summary: '' }] },
      /publishedEvents\[0\]\.type must be .*publishedEvents\[0\]\.dataSchema must be/,
    ],
    [
      'an event listed twice',
      {
        eventsVersion: '1.0.0',
        publishedEvents: [
          { type: 'com.musiccorp.a', name: 'OrderPlaced', summary: '', dataSchema: {} },
          { type: 'com.musiccorp.b', name: 'OrderPlaced', summary: '', dataSchema: {} },
        ],
      },
      /publishedEvents\[1\]\.name "OrderPlaced" is listed twice/,
    ],
  ])('refuses a catalog with %s, naming the fix', (_, catalog, message) => {
    expect(() => eventsDocument(catalog)).toThrow(message);
  });
});
