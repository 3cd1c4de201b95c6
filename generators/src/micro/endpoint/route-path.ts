import { caseHelpers } from '@musiccorp/core/render-helpers';

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

/** Parses and validates `value`; throws a message that names the fix, with the accepted path nearest `value`. */
export function parseRoutePath(value: unknown): RoutePath {
  const path = typeof value === 'string' ? value.trim() : '';
  const example = 'e.g. /albums/:albumId/tracks';
  if (path === '') throw new Error(`A route path is required, ${example}.`);
  const use = (otherwise: string) => {
    const suggestion = suggestRoutePath(path);
    return suggestion === undefined ? otherwise : `use "${suggestion}"`;
  };
  if (!path.startsWith('/')) throw new Error(`Route path "${path}" must start with "/": ${use(example)}.`);
  if (path === '/') return { path, params: [] };
  if (path.endsWith('/')) throw new Error(`Route path "${path}" must not end with "/": ${use(example)}.`);

  const params: string[] = [];
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') throw new Error(`Route path "${path}" has an empty segment ("//"): ${use('remove it')}.`);
    const param = PARAM_SEGMENT.exec(segment)?.[1];
    if (param !== undefined) {
      if (params.includes(param)) {
        throw new Error(
          `Route path "${path}" uses the parameter ":${param}" twice; give each parameter its own name: ${use(example)}.`,
        );
      }
      params.push(param);
    } else if (!STATIC_SEGMENT.test(segment)) {
      throw new Error(
        `Route path segment "${segment}" in "${path}" must be lowercase kebab-case (top-albums) or a camelCase parameter (:albumId): ${use(example)}.`,
      );
    }
  }
  return { path, params };
}

/**
 * The path `parseRoutePath` accepts nearest `value`, for its refusals to suggest: `/Album_Tracks//:Id/` →
 * `/album-tracks/:id`. A leading `/` is added, empty segments and a trailing `/` dropped, static segments made
 * kebab-case, parameters (`:name` or `{name}`) camelCase and a repeated one numbered (`:id`, `:id2`); accepted
 * segments are kept as they are. Undefined when a segment has nothing left to keep (`/albums/*`).
 */
export function suggestRoutePath(value: string): string | undefined {
  const params: string[] = [];
  const segments: string[] = [];
  for (const segment of value.split('/').map((part) => part.trim())) {
    if (segment === '') continue;
    if (!/^[:{]/.test(segment)) {
      const word = STATIC_SEGMENT.test(segment) ? segment : caseHelpers.kebabCase(segment);
      if (word === '') return undefined;
      segments.push(word);
      continue;
    }
    const name = PARAM_SEGMENT.exec(segment)?.[1] ?? caseHelpers.camelCase(segment);
    if (!/^[a-z]/.test(name)) return undefined;
    let unique = name;
    for (let n = 2; params.includes(unique); n++) unique = `${name}${n}`;
    params.push(unique);
    segments.push(`:${unique}`);
  }
  return `/${segments.join('/')}`;
}

/**
 * The shape Fastify's router matches on: parameter names do not matter (`/albums/:id` and `/albums/:albumId` are the
 * same route), nor do regular expressions attached to parameters.
 */
export function routeShape(path: string): string {
  return path.replace(/:[A-Za-z0-9_]+(\([^)]*\))?/g, ':');
}
