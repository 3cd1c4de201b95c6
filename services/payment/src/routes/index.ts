import type { FastifyPluginAsync } from 'fastify';
import { chargePayment } from './charge-payment';
import { getPayment } from './get-payment';
import { PaymentLedger, paymentSchema } from './payments';
import { refundPayment } from './refund-payment';

/**
 * The version of this HTTP API (contract/openapi.json): raise the major for a breaking change;
 * `npm run contract -- check` says when.
 */
export const apiVersion = '2.0.0';

/** The service's business routes: one import and one register line per route module. */
export const routes: FastifyPluginAsync = async (app) => {
  // One ledger per app instance: the routes below share it.
  app.decorate('payments', new PaymentLedger());
  // Shared schemas, before the routes that refer to them by $id: components.schemas in contract/openapi.json.
  app.addSchema(paymentSchema);
  await app.register(chargePayment);
  await app.register(refundPayment);
  await app.register(getPayment);
};
