/**
 * Nx loads the generators through plugin.js, which bundles src/index.ts with esbuild (CommonJS, npm packages external,
 * @musiccorp/core bundled from source). This bundles the same way into a temp folder and loads it: every
 * generators.json entry must resolve to a function, and core (ESM source) must load in CommonJS.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { bundleOnDemand } from '@musiccorp/core/bin/bundle-on-demand.cjs';
import { afterAll, describe, expect, it } from 'vitest';

const GENERATORS = join(__dirname, '..');
// Inside generators/ (in the ignored .cache/, beside plugin.js's own bundle) so the bundle resolves node_modules.
mkdirSync(join(GENERATORS, '.cache'), { recursive: true });
const out = mkdtempSync(join(GENERATORS, '.cache', 'plugin-spec-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the bundled plugin', () => {
  const bundle = bundleOnDemand({
    entry: join(GENERATORS, 'src', 'index.ts'),
    outfile: join(out, 'plugin.cjs'),
    sources: [],
    format: 'cjs',
  });
  const plugin = createRequire(bundle)(bundle) as Record<string, unknown>;
  const { generators } = JSON.parse(readFileSync(join(GENERATORS, 'generators.json'), 'utf8')) as {
    generators: Record<string, { factory: string; schema: string }>;
  };

  it.each(Object.entries(generators))('%s resolves to an exported function with a schema', (_, entry) => {
    const [file, exportName] = entry.factory.split('#');
    expect(file).toBe('./plugin.js');
    expect(typeof plugin[exportName!]).toBe('function');
    expect(() => readFileSync(join(GENERATORS, entry.schema), 'utf8')).not.toThrow();
  });

  it('registers the ownership generators', () => {
    expect(Object.keys(generators)).toEqual(expect.arrayContaining(['service', 'team', 'transfer', 'codeowners']));
  });
});
