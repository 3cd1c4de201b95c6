import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestWorkspace, type TestWorkspace } from '../testing';
import { declaredRoutes, findCollision, registeredRoutes } from './registered-routes';

describe('declaredRoutes', () => {
  it('finds shorthand and route() declarations, with method, path and line', () => {
    const source = [
      "app.get<{ Params: P }>('/albums/:id', { schema }, handler);", // 1
      'app.post(`/albums`, async () => ({}));', // 2
      "instance.route({ method: ['PUT', 'PATCH'], url: '/albums/:id', handler });", // 3
      "app.route({ method: 'delete', path: '/albums/:id', handler });", // 4
      "app.all('/legacy', handler);", // 5
    ].join('\n');
    expect(
      declaredRoutes('src/routes/albums.ts', source).map(({ method, path, line }) => [method, path, line]),
    ).toEqual([
      ['GET', '/albums/:id', 1],
      ['POST', '/albums', 2],
      ['PUT', '/albums/:id', 3],
      ['PATCH', '/albums/:id', 3],
      ['DELETE', '/albums/:id', 4],
      ['*', '/legacy', 5],
    ]);
  });

  it('ignores look-alikes: map lookups, computed paths, comments and strings', () => {
    const source = [
      "store.get('/albums');",
      'app.get(path, handler);',
      "// app.get('/commented', handler);",
      'const text = "app.get(\'/in-a-string\', handler)";',
      'app.route({ method: verb, url: "/computed", handler });',
    ].join('\n');
    expect(declaredRoutes('x.ts', source)).toEqual([]);
  });
});

describe('registeredRoutes', () => {
  let workspace: TestWorkspace;
  beforeEach(() => {
    workspace = createTestWorkspace();
  });
  afterEach(() => workspace.dispose());

  it("lists the template's sample routes and the chassis' probes", () => {
    const routes = registeredRoutes(workspace.tree(), 'services/catalog').map(
      (route) => `${route.method} ${route.path}`,
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /items',
        'GET /items/:id',
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
      ]),
    );
  });

  it('applies the prefix src/routes/index.ts registers a module with', () => {
    workspace.write(
      'services/catalog/src/routes/index.ts',
      "import { items } from './items';\nexport const routes = async (app) => {\n  await app.register(items, { prefix: '/v1' });\n};\n",
    );
    const routes = registeredRoutes(workspace.tree(), 'services/catalog');
    expect(routes).toContainEqual(expect.objectContaining({ method: 'GET', path: '/v1/items/:id' }));
    expect(routes).not.toContainEqual(expect.objectContaining({ path: '/items/:id' }));
  });
});

describe('findCollision', () => {
  const routes = [
    { method: 'GET', path: '/items/:id', file: 'items.ts', line: 3 },
    { method: '*', path: '/legacy', file: 'legacy.ts', line: 1 },
  ];

  it('matches the same method on the same route shape, whatever the parameter is called', () => {
    expect(findCollision(routes, 'GET', '/items/:itemId')).toBe(routes[0]);
    expect(findCollision(routes, 'DELETE', '/items/:itemId')).toBeUndefined();
    expect(findCollision(routes, 'GET', '/items/:id/tracks')).toBeUndefined();
  });

  it('treats app.all as every method', () => {
    expect(findCollision(routes, 'PATCH', '/legacy')).toBe(routes[1]);
  });
});
