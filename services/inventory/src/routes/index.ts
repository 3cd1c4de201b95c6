import type { FastifyPluginAsync } from 'fastify';
import { getReservation } from './get-reservation';
import { getStock } from './get-stock';
import { releaseReservation } from './release-reservation';
import { reserveStock } from './reserve-stock';
import { reservationLineSchema, reservationSchema, StockLedger, stockLevelSchema } from './stock';
import { receiveStock } from './receive-stock';

/**
 * The version of this HTTP API (contract/openapi.json): raise the major for a breaking change;
 * `npm run contract -- check` says when.
 */
export const apiVersion = '2.1.0';

/** The service's business routes: one import and one register line per route module. */
export const routes: FastifyPluginAsync = async (app) => {
  // One ledger per app instance, seeded: the routes below share it.
  app.decorate('stock', new StockLedger());
  // Shared schemas, before the routes that refer to them by $id: components.schemas in contract/openapi.json.
  app.addSchema(stockLevelSchema);
  app.addSchema(reservationLineSchema);
  app.addSchema(reservationSchema);
  await app.register(getStock);
  await app.register(reserveStock);
  await app.register(releaseReservation);
  await app.register(getReservation);
  await app.register(receiveStock);
};
