import type { FastifyPluginAsync } from 'fastify';
import { allAlbums, type Album } from './albums';

interface ListAlbumsReply {
  albums: readonly Album[];
}

const replySchema = {
  type: 'object',
  required: ['albums'],
  additionalProperties: false,
  properties: { albums: { type: 'array', items: { $ref: 'Album#' } } },
} as const;

/** The whole catalog, in SKU order: `GET /albums`. */
export const listAlbums: FastifyPluginAsync = async (app) => {
  app.get<{ Reply: ListAlbumsReply }>('/albums', { schema: { response: { 200: replySchema } } }, async () => ({
    albums: allAlbums(),
  }));
};
