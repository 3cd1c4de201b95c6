import type { Tree } from '@nx/devkit';
import { posix } from 'node:path';
import { caseHelpers } from '@musiccorp/core/render-helpers';
import type { ServiceInfo } from '@musiccorp/core/services';
import { findService } from '../service';
import { isReservedWord } from '../typescript';
import { parseHttpMethod, type HttpMethod } from './http-method';
import { importedNames, ROUTES_EXPORT } from './register-route';
import { findCollision, registeredRoutes, ROUTES_INDEX } from './registered-routes';
import { parseRoutePath, type RoutePath } from './route-path';
import type { EndpointSchema } from './schema';

export interface EndpointOptions {
  service: ServiceInfo;
  method: HttpMethod;
  route: RoutePath;
  /** The exported Fastify plugin (`getAlbum`). */
  handlerName: string;
  /** Its module's file name without extension (`get-album`). */
  fileName: string;
}

const CAMEL_CASE = /^[a-z][a-zA-Z0-9]*$/;

/** Validates every answer before anything is written; throws the first problem, with its fix. */
export function normalizeEndpointOptions(tree: Tree, schema: EndpointSchema): EndpointOptions {
  const service = findService(tree, schema.service);
  const method = parseHttpMethod(schema.method);
  const route = parseRoutePath(schema.path);
  assertRouteIsFree(tree, service, method, route.path);
  const { handlerName, fileName } = parseHandlerName(tree, service, schema.handlerName);
  return { service, method, route, handlerName, fileName };
}

/** Refuses `method path` when the service already declares a route Fastify would match the same way. */
export function assertRouteIsFree(tree: Tree, service: ServiceInfo, method: HttpMethod, path: string): void {
  const collision = findCollision(registeredRoutes(tree, service.root), method, path);
  if (collision) {
    const declared = collision.path === path ? '' : ` as ${collision.method} ${collision.path}`;
    throw new Error(
      `${method} ${path} already exists in ${service.name}: ${collision.file}:${collision.line}${declared}. Choose another path or method, or change that route.`,
    );
  }
}

/** A camelCase identifier whose route module, test and import name are all still free. */
export function parseHandlerName(
  tree: Tree,
  service: ServiceInfo,
  value: unknown,
): { handlerName: string; fileName: string } {
  const handlerName = typeof value === 'string' ? value.trim() : '';
  if (handlerName === '') throw new Error('A handler name is required: a camelCase identifier such as getAlbum.');
  if (!CAMEL_CASE.test(handlerName)) {
    const suggestion = caseHelpers.camelCase(handlerName);
    const tryInstead = CAMEL_CASE.test(suggestion) ? ` Try "${suggestion}".` : '';
    throw new Error(
      `Handler name "${handlerName}" must be a camelCase identifier (letters and digits, starting lowercase, e.g. getAlbum).${tryInstead}`,
    );
  }
  if (isReservedWord(handlerName) || handlerName === ROUTES_EXPORT) {
    throw new Error(
      `Handler name "${handlerName}" is reserved (a JavaScript word, or the routes plugin itself); name what the endpoint does, e.g. ${handlerName}Album.`,
    );
  }
  const fileName = caseHelpers.kebabCase(handlerName);
  const taken = [`src/routes/${fileName}.ts`, `src/routes/${fileName}`, `test/routes/${fileName}.spec.ts`]
    .map((file) => posix.join(service.root, file))
    .filter((file) => tree.exists(file));
  if (taken.length > 0) {
    throw new Error(
      `Handler name "${handlerName}" is taken: ${taken.join(' and ')} already exist. Choose another name.`,
    );
  }
  const index = tree.read(posix.join(service.root, ROUTES_INDEX), 'utf-8');
  if (index !== null && importedNames(index).includes(handlerName)) {
    throw new Error(
      `Handler name "${handlerName}" is already imported by ${posix.join(service.root, ROUTES_INDEX)}. Choose another name.`,
    );
  }
  return { handlerName, fileName };
}
