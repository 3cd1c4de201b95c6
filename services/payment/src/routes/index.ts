import type { FastifyPluginAsync } from 'fastify';
import { items } from './items';

/**
 * The version of this HTTP API (contract/openapi.json): raise the major for a breaking change;
 * `npm run contract -- check` says when.
 */
export const apiVersion = '1.0.0';

/** The service's business routes: one import and one register line per route module. */
export const routes: FastifyPluginAsync = async (app) => {
  await app.register(items);
};
