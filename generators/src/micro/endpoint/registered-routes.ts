import { visitNotIgnoredFiles, type Tree } from '@nx/devkit';
import { posix } from 'node:path';
import type * as TypeScript from 'typescript';
import { parseSource, stringValue, typescript } from '../typescript';
import { routeShape } from './route-path';

/** A route a service declares in its source, where it declares it. `*` stands for Fastify's `all`. */
export interface RegisteredRoute {
  method: string;
  path: string;
  /** Workspace-relative file and 1-based line of the declaration. */
  file: string;
  line: number;
}

const SHORTHANDS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all']);
export const ROUTES_INDEX = 'src/routes/index.ts';

/**
 * Every route the service's source declares: `app.get('/x', …)`-style shorthands (a path literal and at least a
 * handler, so `map.get('/x')` is not a route) and `app.route({ method, url })`, in any file under `src/` — the
 * chassis' probes included. Modules that `src/routes/index.ts` registers with `{ prefix }` get their prefix.
 */
export function registeredRoutes(tree: Tree, serviceRoot: string): RegisteredRoute[] {
  const prefixes = registrationPrefixes(tree, serviceRoot);
  const routes: RegisteredRoute[] = [];
  visitNotIgnoredFiles(tree, posix.join(serviceRoot, 'src'), (file) => {
    if (!file.endsWith('.ts')) return;
    const prefix = prefixes.get(file) ?? '';
    for (const route of declaredRoutes(file, tree.read(file, 'utf-8') ?? '')) {
      routes.push({ ...route, path: withPrefix(prefix, route.path) });
    }
  });
  return routes;
}

/** The declared route that `method path` would collide with in Fastify's router, if any. */
export function findCollision(routes: RegisteredRoute[], method: string, path: string): RegisteredRoute | undefined {
  const shape = routeShape(path);
  return routes.find((route) => (route.method === method || route.method === '*') && routeShape(route.path) === shape);
}

/** Routes declared in one source file, with the paths as written (no prefix). */
export function declaredRoutes(file: string, source: string): RegisteredRoute[] {
  const ts = typescript();
  const sourceFile = parseSource(file, source);
  const routes: RegisteredRoute[] = [];
  const add = (node: TypeScript.Node, methods: string[], path: string) => {
    const line = sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1;
    for (const method of methods) routes.push({ method, path, file, line });
  };
  const visit = (node: TypeScript.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const name = node.expression.name.text;
      const [first] = node.arguments;
      const path = stringValue(first);
      if (SHORTHANDS.has(name) && path?.startsWith('/') && node.arguments.length >= 2) {
        add(node, [name === 'all' ? '*' : name.toUpperCase()], path);
      } else if (name === 'route' && first && ts.isObjectLiteralExpression(first)) {
        const route = routeOptions(first);
        if (route) add(node, route.methods, route.path);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return routes;
}

/** `{ method: 'GET' | ['GET', 'POST'], url | path: '/x' }` of `app.route(…)`, when both are literals. */
function routeOptions(options: TypeScript.ObjectLiteralExpression): { methods: string[]; path: string } | undefined {
  const ts = typescript();
  const property = (key: string) =>
    options.properties.find(
      (candidate): candidate is TypeScript.PropertyAssignment =>
        ts.isPropertyAssignment(candidate) && candidate.name.getText() === key,
    )?.initializer;
  const path = stringValue(property('url') ?? property('path'));
  const method = property('method');
  const methods =
    method && ts.isArrayLiteralExpression(method)
      ? method.elements.map((element) => stringValue(element))
      : [stringValue(method)];
  const known = methods.filter((value): value is string => value !== undefined);
  if (path === undefined || known.length === 0 || known.length < methods.length) return undefined;
  return { methods: known.map((value) => value.toUpperCase()), path };
}

/** Route module file → the `prefix` src/routes/index.ts registers it with. */
function registrationPrefixes(tree: Tree, serviceRoot: string): Map<string, string> {
  const indexFile = posix.join(serviceRoot, ROUTES_INDEX);
  const source = tree.read(indexFile, 'utf-8');
  const prefixes = new Map<string, string>();
  if (source === null) return prefixes;
  const ts = typescript();
  const sourceFile = parseSource(indexFile, source);
  const moduleOf = new Map<string, string>();
  for (const statement of sourceFile.statements) {
    const bindings = ts.isImportDeclaration(statement) ? statement.importClause?.namedBindings : undefined;
    const specifier = ts.isImportDeclaration(statement) ? stringValue(statement.moduleSpecifier) : undefined;
    if (!bindings || !ts.isNamedImports(bindings) || !specifier?.startsWith('.')) continue;
    for (const element of bindings.elements) moduleOf.set(element.name.text, specifier);
  }
  const visit = (node: TypeScript.Node): void => {
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      node.expression.name.text === 'register'
    ) {
      const [plugin, options] = node.arguments;
      const specifier = plugin && ts.isIdentifier(plugin) ? moduleOf.get(plugin.text) : undefined;
      const prefix =
        options && ts.isObjectLiteralExpression(options)
          ? stringValue(
              options.properties.find(
                (p): p is TypeScript.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText() === 'prefix',
              )?.initializer,
            )
          : undefined;
      if (specifier && prefix) {
        const base = posix.join(posix.dirname(indexFile), specifier);
        for (const file of [`${base}.ts`, `${base}/index.ts`]) prefixes.set(file, prefix);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return prefixes;
}

function withPrefix(prefix: string, path: string): string {
  if (!prefix) return path;
  const base = prefix.replace(/\/+$/, '');
  return path === '/' ? base || '/' : `${base}${path}`;
}
