// Platform-owned: error responses. Changes come from templates/service on upgrade, not by hand.
import { STATUS_CODES } from 'node:http';
import type { FastifyError } from 'fastify';
import { unencapsulated } from './plugin';
import { requestPath } from './request-log';

/** Throw from a handler to answer with this status; the message is shown to the caller for 4xx statuses only. */
export class HttpError extends Error {
  override name = 'HttpError';

  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** The body of every error response. */
export interface ErrorResponse {
  statusCode: number;
  error: string;
  message: string;
  correlationId: string;
}

/** ErrorResponse as JSON Schema: the contract declares it as every operation's `default` response (contract.ts). */
export const ERROR_RESPONSE_SCHEMA = {
  type: 'object',
  required: ['statusCode', 'error', 'message', 'correlationId'],
  properties: {
    statusCode: { type: 'integer', minimum: 400, maximum: 599 },
    error: { type: 'string' },
    message: { type: 'string' },
    correlationId: { type: 'string' },
  },
} as const;

function errorResponse(statusCode: number, message: string, correlationId: string): ErrorResponse {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, correlationId };
}

/**
 * One error shape for validation errors (400), unknown routes (404), load shedding (503) and thrown errors
 * (500). Server-side failures answer a generic message; the stack goes to the log only.
 */
export const errors = unencapsulated('errors', async (app) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    const { correlationId } = request.correlation;
    if (statusCode === 500) {
      request.log.error({ err: error, correlationId }, 'request failed');
    } else {
      // Expected outcomes: the request line already records the status; this explains it when debugging.
      request.log.debug({ correlationId, code: error.code, reason: error.message }, 'request rejected');
    }
    const message = statusCode >= 500 ? (STATUS_CODES[statusCode] ?? 'Error') : error.message;
    return reply.code(statusCode).send(errorResponse(statusCode, message, correlationId));
  });

  app.setNotFoundHandler((request, reply) => {
    const message = `Route ${request.method} ${requestPath(request)} not found`;
    return reply.code(404).send(errorResponse(404, message, request.correlation.correlationId));
  });
});
