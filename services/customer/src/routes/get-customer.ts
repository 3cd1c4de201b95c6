import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import { customers, type Customer } from './customers';

interface GetCustomerParams {
  customerId: string;
}

const paramsSchema = {
  type: 'object',
  required: ['customerId'],
  additionalProperties: false,
  properties: { customerId: { type: 'string', format: 'uuid' } },
} as const;

/** A customer with their loyalty points: `GET /customers/:customerId`. */
export const getCustomer: FastifyPluginAsync = async (app) => {
  app.get<{ Params: GetCustomerParams; Reply: Customer }>(
    '/customers/:customerId',
    { schema: { params: paramsSchema, response: { 200: { $ref: 'Customer#' } } } },
    async (request) => {
      const customer = customers.customer(request.params.customerId);
      if (!customer) throw new HttpError(404, `No customer ${request.params.customerId}`);
      return customer;
    },
  );
};
