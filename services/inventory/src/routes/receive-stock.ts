import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import { SKU_PATTERN, type StockLevel } from './stock';

interface ReceiveStockParams {
  sku: string;
}

/** Goods that arrived at the warehouse; `receiptId` makes a retried delivery note count once. */
interface ReceiveStockBody {
  receiptId: string;
  quantity: number;
}

const paramsSchema = {
  type: 'object',
  required: ['sku'],
  additionalProperties: false,
  properties: { sku: { type: 'string', pattern: SKU_PATTERN } },
} as const;

const bodySchema = {
  type: 'object',
  required: ['receiptId', 'quantity'],
  additionalProperties: false,
  properties: {
    receiptId: { type: 'string', format: 'uuid', description: 'The delivery note; a retry sends the same' },
    quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
} as const;

/**
 * Receive stock: `POST /stock/:sku/receipts` adds the units to what is available and answers the new level (201);
 * the same receipt again adds nothing and answers the level (200); the same receiptId for other goods is a 409.
 */
export const receiveStock: FastifyPluginAsync = async (app) => {
  app.post<{ Params: ReceiveStockParams; Body: ReceiveStockBody; Reply: StockLevel }>(
    '/stock/:sku/receipts',
    {
      schema: {
        params: paramsSchema,
        body: bodySchema,
        response: { 200: { $ref: 'StockLevel#' }, 201: { $ref: 'StockLevel#' } },
      },
    },
    async (request, reply) => {
      const { sku } = request.params;
      const { receiptId, quantity } = request.body;
      const outcome = app.stock.receive(receiptId, sku, quantity);
      if (outcome.kind === 'conflict') throw new HttpError(409, outcome.message);
      request.log.info({ sku, receiptId, quantity, available: outcome.level.available }, `stock ${outcome.kind}`);
      return reply.code(outcome.kind === 'received' ? 201 : 200).send(outcome.level);
    },
  );
};
