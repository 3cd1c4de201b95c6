import type { FastifyPluginAsync } from 'fastify';
import { items } from './items';

/** The service's business routes: one import and one register line per route module. */
export const routes: FastifyPluginAsync = async (app) => {
  await app.register(items);
};
