import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../../utils/testing';
import { importedNames, registerRoute } from './register-route';

const templateIndex = readFileSync(join(WORKSPACE_ROOT, 'templates/service/src/routes/index.ts'), 'utf8');

describe('registerRoute', () => {
  it("adds one import and one register line to the service template's index, in its style", () => {
    const updated = registerRoute(templateIndex, 'getAlbum', './get-album', 'index.ts');
    const added = updated.split('\n').filter((line) => !templateIndex.split('\n').includes(line));
    expect(added).toEqual(["import { getAlbum } from './get-album';", '  await app.register(getAlbum);']);
    expect(updated.indexOf("from './get-album'")).toBeGreaterThan(updated.indexOf("from './items'"));
    expect(updated.indexOf('register(getAlbum)')).toBeGreaterThan(updated.indexOf('register(items)'));
  });

  it('follows the file: its quotes, indentation and the name of the plugin parameter', () => {
    const source = [
      'import type { FastifyPluginAsync } from "fastify";',
      'import { items } from "./items";',
      '',
      'export const routes: FastifyPluginAsync = async (server) => {',
      '    await server.register(items, { prefix: "/v1" });',
      '};',
      '',
    ].join('\n');
    const updated = registerRoute(source, 'getAlbum', './get-album', 'index.ts');
    expect(updated).toContain('import { items } from "./items";\nimport { getAlbum } from "./get-album";\n');
    expect(updated).toContain('prefix: "/v1" });\n    await server.register(getAlbum);\n};');
  });

  it('registers the first module of a plugin that registers nothing yet', () => {
    const source =
      "import type { FastifyPluginAsync } from 'fastify';\n\nexport const routes: FastifyPluginAsync = async (app) => {\n};\n";
    expect(registerRoute(source, 'getAlbum', './get-album', 'index.ts')).toBe(
      "import type { FastifyPluginAsync } from 'fastify';\nimport { getAlbum } from './get-album';\n\nexport const routes: FastifyPluginAsync = async (app) => {\n  await app.register(getAlbum);\n};\n",
    );
  });

  it('refuses a file without a routes plugin, naming the fix', () => {
    expect(() => registerRoute('export const other = 1;\n', 'getAlbum', './get-album', 'src/routes/index.ts')).toThrow(
      /src\/routes\/index\.ts has no `export const routes: FastifyPluginAsync = async \(app\) => \{ … \}`.*Restore that plugin/,
    );
  });
});

describe('importedNames', () => {
  it('lists default, named and namespace imports', () => {
    expect(importedNames("import a, { b, c as d } from './x';\nimport * as e from './y';\n")).toEqual([
      'a',
      'b',
      'd',
      'e',
    ]);
  });
});
