/**
 * The chassis' error body (`ErrorResponse` of src/chassis), as a shared schema: every route declares the error
 * statuses it answers with it, so contract/openapi.json says what a caller gets back when a request fails.
 */
export const errorResponseSchema = {
  $id: 'ErrorResponse',
  type: 'object',
  required: ['statusCode', 'error', 'message', 'correlationId'],
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string' },
    correlationId: { type: 'string' },
  },
} as const;

export const errorResponse = { $ref: 'ErrorResponse#' } as const;
