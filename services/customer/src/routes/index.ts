import type { FastifyPluginAsync } from 'fastify';
import { createCustomer } from './create-customer';
import { customerSchema } from './customers';
import { getCustomer } from './get-customer';

/**
 * The version of this HTTP API (contract/openapi.json): raise the major for a breaking change;
 * `npm run contract -- check` says when.
 */
export const apiVersion = '2.0.0';

/** The service's business routes: one import and one register line per route module. */
export const routes: FastifyPluginAsync = async (app) => {
  // Shared schemas, before the routes that refer to them by $id: components.schemas in contract/openapi.json.
  app.addSchema(customerSchema);
  await app.register(createCustomer);
  await app.register(getCustomer);
};
