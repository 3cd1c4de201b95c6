import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import { SKU_PATTERN, type StockLevel } from './stock';

interface GetStockParams {
  sku: string;
}

const paramsSchema = {
  type: 'object',
  required: ['sku'],
  additionalProperties: false,
  properties: { sku: { type: 'string', pattern: SKU_PATTERN } },
} as const;

/** Units available and reserved for one SKU: `GET /stock/:sku`. */
export const getStock: FastifyPluginAsync = async (app) => {
  app.get<{ Params: GetStockParams; Reply: StockLevel }>(
    '/stock/:sku',
    {
      schema: {
        params: paramsSchema,
        response: { 200: { $ref: 'StockLevel#' } },
      },
    },
    async (request) => {
      const level = app.stock.level(request.params.sku);
      if (!level) throw new HttpError(404, `SKU ${request.params.sku} is not stocked`);
      return level;
    },
  );
};
