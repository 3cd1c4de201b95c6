import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';

/** Sample business endpoint: replace it with the service's own. */
interface Item {
  id: string;
  name: string;
  createdAt: string;
}

const itemSchema = {
  type: 'object',
  required: ['id', 'name', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const createItemBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

const itemParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export const items: FastifyPluginAsync = async (app) => {
  // Each service owns its state; in memory here, per app instance.
  const store = new Map<string, Item>();

  app.post<{ Body: { name: string } }>(
    '/items',
    { schema: { body: createItemBody, response: { 201: itemSchema } } },
    async (request, reply) => {
      const item: Item = { id: randomUUID(), name: request.body.name, createdAt: new Date().toISOString() };
      store.set(item.id, item);
      request.log.info({ itemId: item.id }, 'item created');
      return reply.code(201).send(item);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/items/:id',
    { schema: { params: itemParams, response: { 200: itemSchema } } },
    async (request) => {
      const item = store.get(request.params.id);
      if (!item) throw new HttpError(404, `Item ${request.params.id} not found`);
      return item;
    },
  );
};
