import type { FastifyPluginAsync } from 'fastify';
import { HttpError } from '../chassis';
import { customers, type Customer, type NewCustomer } from './customers';

const bodySchema = {
  type: 'object',
  required: ['name', 'email'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    email: { type: 'string', format: 'email', maxLength: 254 },
  },
} as const;

/**
 * Registers a customer with no loyalty points yet: `POST /customers`. Idempotent by email: the same name and email
 * again answer the customer already registered.
 */
export const createCustomer: FastifyPluginAsync = async (app) => {
  app.post<{ Body: NewCustomer; Reply: Customer }>(
    '/customers',
    { schema: { body: bodySchema, response: { 201: { $ref: 'Customer#' } } } },
    async (request, reply) => {
      const outcome = customers.register(request.body);
      if (outcome.kind === 'conflict') throw new HttpError(409, outcome.message);
      const { customerId } = outcome.customer;
      request.log.info(
        { customerId },
        outcome.kind === 'created' ? 'customer registered' : 'customer already registered',
      );
      return reply.code(201).send(outcome.customer);
    },
  );
};
