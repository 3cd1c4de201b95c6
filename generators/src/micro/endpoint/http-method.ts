/** The methods an endpoint may use. HEAD is left out: Fastify answers HEAD for every GET route itself. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Methods whose requests carry a JSON body, so their route gets a body schema. */
const WITH_BODY: ReadonlySet<HttpMethod> = new Set(['POST', 'PUT', 'PATCH']);

export const hasBody = (method: HttpMethod): boolean => WITH_BODY.has(method);

/** The status a generated route answers with on success. */
export function successStatus(method: HttpMethod): 200 | 201 | 204 {
  if (method === 'POST') return 201;
  if (method === 'DELETE') return 204;
  return 200;
}

/** Accepts any letter case (`get` → `GET`); throws naming the allowed methods. */
export function parseHttpMethod(value: unknown): HttpMethod {
  const method = typeof value === 'string' ? value.trim().toUpperCase() : '';
  const known = HTTP_METHODS.find((candidate) => candidate === method);
  if (!known) {
    throw new Error(`Unknown HTTP method "${String(value)}". Use one of: ${HTTP_METHODS.join(', ')}.`);
  }
  return known;
}
