/**
 * A route path as the endpoint generator accepts it: `/` followed by segments that are lowercase kebab-case words
 * (`/top-albums`) or camelCase parameters (`/albums/:albumId`), with no trailing slash and no parameter twice.
 */
export interface RoutePath {
  path: string;
  /** Parameter names in order of appearance (`albumId`, not `:albumId`). */
  params: string[];
}

const STATIC_SEGMENT = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const PARAM_SEGMENT = /^:([a-z][a-zA-Z0-9]*)$/;

/** Parses and validates `value`; throws a message that names the fix. */
export function parseRoutePath(value: unknown): RoutePath {
  const path = typeof value === 'string' ? value.trim() : '';
  const example = 'e.g. /albums/:albumId/tracks';
  if (path === '') throw new Error(`A route path is required, ${example}.`);
  if (!path.startsWith('/')) throw new Error(`Route path "${path}" must start with "/": use "/${path}".`);
  if (path === '/') return { path, params: [] };
  if (path.endsWith('/')) {
    throw new Error(`Route path "${path}" must not end with "/": use "${path.replace(/\/+$/, '')}".`);
  }

  const params: string[] = [];
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') throw new Error(`Route path "${path}" has an empty segment ("//"); remove it.`);
    const param = PARAM_SEGMENT.exec(segment)?.[1];
    if (param !== undefined) {
      if (params.includes(param)) {
        throw new Error(`Route path "${path}" uses the parameter ":${param}" twice; give each parameter its own name.`);
      }
      params.push(param);
    } else if (!STATIC_SEGMENT.test(segment)) {
      throw new Error(
        `Route path segment "${segment}" in "${path}" must be lowercase kebab-case (top-albums) or a camelCase parameter (:albumId), ${example}.`,
      );
    }
  }
  return { path, params };
}

/**
 * The shape Fastify's router matches on: parameter names do not matter (`/albums/:id` and `/albums/:albumId` are the
 * same route), nor do regular expressions attached to parameters.
 */
export function routeShape(path: string): string {
  return path.replace(/:[A-Za-z0-9_]+(\([^)]*\))?/g, ':');
}
