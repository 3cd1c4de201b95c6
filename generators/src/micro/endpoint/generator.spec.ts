import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flushChanges } from 'nx/src/generators/tree';
import * as prettier from 'prettier';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDrift } from '../../drift/drift';
import { readManifest } from '@musiccorp/core/render';
import { createTestWorkspace, type TestWorkspace } from '../testing';
import { endpointGenerator } from './generator';
import type { EndpointSchema } from './schema';

const SERVICE = 'services/catalog';
let workspace: TestWorkspace;
beforeEach(() => {
  workspace = createTestWorkspace(['catalog', 'payment']);
});
afterEach(() => workspace.dispose());

const getAlbum: EndpointSchema = {
  service: 'catalog',
  method: 'GET',
  path: '/albums/:albumId',
  handlerName: 'getAlbum',
};

/** Runs the generator and writes its changes, as plop does; returns the changed paths. */
async function generate(schema: EndpointSchema): Promise<string[]> {
  const tree = workspace.tree();
  await endpointGenerator(tree, schema);
  const changes = tree.listChanges();
  flushChanges(workspace.root, changes);
  return changes.map((change) => `${change.type} ${change.path}`);
}

const read = (path: string) => readFileSync(join(workspace.root, SERVICE, path), 'utf8');

describe('endpointGenerator', () => {
  it('writes the route, its test, its registration and its README row, all in team-owned files', async () => {
    expect((await generate(getAlbum)).sort()).toEqual([
      `CREATE ${SERVICE}/src/routes/get-album.ts`,
      `CREATE ${SERVICE}/test/routes/get-album.spec.ts`,
      `UPDATE ${SERVICE}/README.md`,
      `UPDATE ${SERVICE}/src/routes/index.ts`,
    ]);
    expect(read('src/routes/index.ts')).toContain(
      "import { items } from './items';\nimport { getAlbum } from './get-album';\n\n/**\n * The version of this HTTP API",
    );
    expect(read('src/routes/index.ts')).toContain('  await app.register(items);\n  await app.register(getAlbum);\n};');
    expect(read('README.md')).toMatch(
      /\| `GET` +\| `\/albums\/:albumId` +\| Get album \(`src\/routes\/get-album\.ts`\) +\|/,
    );
    // The drift rule stays green: no platform-owned file changed.
    expect(checkDrift(workspace.root, SERVICE).findings).toEqual([]);
  });

  it('gives the route a params schema from the path, and no body schema for GET', async () => {
    await generate(getAlbum);
    const route = read('src/routes/get-album.ts');
    expect(route).toContain("required: ['albumId']");
    expect(route).toContain("app.get<{ Params: GetAlbumParams; Reply: GetAlbumReply }>(\n    '/albums/:albumId',");
    expect(route).not.toContain('bodySchema');
    expect(read('test/routes/get-album.spec.ts')).toContain("url: '/albums/album-id-1'");
  });

  it('gives POST, PUT and PATCH a body schema, POST a 201 and DELETE a 204 without a reply body', async () => {
    await generate({ service: 'catalog', method: 'post', path: '/albums/:albumId/tracks', handlerName: 'addTrack' });
    const post = read('src/routes/add-track.ts');
    expect(post).toContain('body: bodySchema');
    expect(post).toContain('response: { 201: replySchema }');
    expect(post).toContain("required: ['albumId', 'name']");

    await generate({ service: 'catalog', method: 'DELETE', path: '/albums/:albumId', handlerName: 'deleteAlbum' });
    const remove = read('src/routes/delete-album.ts');
    expect(remove).not.toContain('bodySchema');
    expect(remove).toContain("response: { 204: { type: 'null' } }");
    expect(remove).toContain('return reply.code(204).send();');
  });

  it('writes prettier-clean files', async () => {
    await generate({
      service: 'catalog',
      method: 'PATCH',
      path: '/artists/:name/albums/:albumId',
      handlerName: 'renameAlbum',
    });
    for (const file of [
      'src/routes/rename-album.ts',
      'test/routes/rename-album.spec.ts',
      'src/routes/index.ts',
      'README.md',
    ]) {
      const filepath = join(workspace.root, SERVICE, file);
      const options = { ...(await prettier.resolveConfig(filepath)), filepath };
      expect(await prettier.check(read(file), options), file).toBe(true);
    }
    // A body field never shadows a path parameter of the same name.
    expect(read('src/routes/rename-album.ts')).toContain("required: ['name', 'albumId', 'title']");
  });

  it('appends an Endpoints section to a README a team rewrote without one', async () => {
    workspace.write(`${SERVICE}/README.md`, '# catalog\n\nOur own words.\n');
    await generate(getAlbum);
    expect(read('README.md')).toMatch(
      /^# catalog\n\nOur own words\.\n\n## Endpoints\n\n[^]*\| `GET` +\| `\/albums\/:albumId` /,
    );
  });

  it('only touches files the service template gives the team', () => {
    const { teamOwned } = readManifest('service');
    expect(teamOwned).toEqual(expect.arrayContaining(readManifest('endpoint').teamOwned));
  });

  it.each<[string, Partial<EndpointSchema>, RegExp]>([
    ['an unknown service', { service: 'nope' }, /Unknown service "nope"\. Use one of: catalog, payment\./],
    ['a bad method', { method: 'FETCH' }, /Unknown HTTP method "FETCH"\. Use one of: GET, POST, PUT, PATCH, DELETE\./],
    ['a path without a leading slash', { path: 'albums' }, /must start with "\/": use "\/albums"/],
    ['a path with a trailing slash', { path: '/albums/' }, /must not end with "\/"/],
    ['an uppercase segment', { path: '/Albums' }, /lowercase kebab-case/],
    ['a duplicate parameter', { path: '/a/:id/b/:id' }, /":id" twice/],
    [
      'a route the sample module declares',
      { path: '/items/:itemId' },
      /GET \/items\/:itemId already exists in catalog: services\/catalog\/src\/routes\/items\.ts:\d+ as GET \/items\/:id/,
    ],
    [
      'a chassis route',
      { path: '/metrics' },
      /GET \/metrics already exists in catalog: services\/catalog\/src\/chassis\/metrics\.ts/,
    ],
    [
      'a handler name that is not camelCase',
      { handlerName: 'get-album' },
      /must be a camelCase identifier.*Try "getAlbum"/,
    ],
    ['a reserved handler name', { handlerName: 'delete' }, /"delete" is reserved/],
    ['the routes plugin as handler name', { handlerName: 'routes' }, /"routes" is reserved/],
    [
      'a handler whose module exists',
      { handlerName: 'items' },
      /"items" is taken: services\/catalog\/src\/routes\/items\.ts/,
    ],
  ])('refuses %s and writes nothing', async (_, change, message) => {
    const tree = workspace.tree();
    await expect(endpointGenerator(tree, { ...getAlbum, ...change })).rejects.toThrow(message);
    expect(tree.listChanges()).toEqual([]);
  });

  it('refuses to run in a workspace without services, naming how to create one', async () => {
    const empty = createTestWorkspace([]);
    try {
      const tree = empty.tree();
      await expect(endpointGenerator(tree, getAlbum)).rejects.toThrow(
        /no services yet: generate one first with `npx nx g service/,
      );
      expect(tree.listChanges()).toEqual([]);
    } finally {
      empty.dispose();
    }
  });

  it('refuses the same route twice, whatever the handler is called', async () => {
    await generate(getAlbum);
    const tree = workspace.tree();
    await expect(
      endpointGenerator(tree, { ...getAlbum, path: '/albums/:id', handlerName: 'fetchAlbum' }),
    ).rejects.toThrow(/GET \/albums\/:id already exists in catalog: services\/catalog\/src\/routes\/get-album\.ts/);
    expect(tree.listChanges()).toEqual([]);
  });
});
