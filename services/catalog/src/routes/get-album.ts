import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import { findAlbum, SKU_PATTERN, type Album } from './albums';

interface GetAlbumParams {
  sku: string;
}

const paramsSchema = {
  type: 'object',
  required: ['sku'],
  additionalProperties: false,
  properties: { sku: { type: 'string', pattern: SKU_PATTERN } },
} as const;

/** One album with its price, by SKU: `GET /albums/:sku`. What order-processor checks prices with. */
export const getAlbum: FastifyPluginAsync = async (app) => {
  app.get<{ Params: GetAlbumParams; Reply: Album }>(
    '/albums/:sku',
    {
      schema: {
        params: paramsSchema,
        response: { 200: { $ref: 'Album#' } },
      },
    },
    async (request) => {
      const album = findAlbum(request.params.sku);
      if (!album) throw new HttpError(404, `No album with SKU ${request.params.sku} in the catalog`);
      return album;
    },
  );
};
