import type { FastifyPluginAsync } from 'fastify';
import { albumSchema } from './albums';
import { getAlbum } from './get-album';
import { listAlbums } from './list-albums';

/**
 * The version of this HTTP API (contract/openapi.json): raise the major for a breaking change;
 * `npm run contract -- check` says when.
 */
export const apiVersion = '2.0.0';

/** The service's business routes: one import and one register line per route module. */
export const routes: FastifyPluginAsync = async (app) => {
  // Shared schemas, before the routes that refer to them by $id: components.schemas in contract/openapi.json.
  app.addSchema(albumSchema);
  await app.register(getAlbum);
  await app.register(listAlbums);
};
