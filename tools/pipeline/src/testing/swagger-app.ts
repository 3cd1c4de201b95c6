/**
 * For specs of the contract checks: a Fastify app that writes its OpenAPI contract as a generated service's chassis
 * does — @fastify/swagger, shared schemas referenced by their $id — and the chassis' error body (its errors.ts).
 */
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';

/** The body of every error answer of a generated service. */
export const ERROR_RESPONSE_SCHEMA = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['statusCode', 'error', 'message', 'correlationId'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    correlationId: { type: 'string' },
  },
};

/** A Fastify app whose `app.swagger()` is the OpenAPI 3.0 contract of `title`, shared schemas named by $id. */
export async function swaggerApp(title: string): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(swagger, {
    openapi: { openapi: '3.0.3', info: { title, version: '0.1.0' } },
    refResolver: { buildLocalReference: (json, _base, _fragment, index) => String(json.$id ?? `def-${index}`) },
  });
  return app;
}
