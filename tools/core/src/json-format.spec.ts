import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { formatJson } from './json-format';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
const prettierJson = async (text: string) =>
  prettier.format(text, { ...(await prettier.resolveConfig(join(WORKSPACE_ROOT, 'x.json'))), parser: 'json' });

describe('formatJson prints what prettier prints', () => {
  const cases: Record<string, unknown> = {
    'a service project.json': JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'services/catalog/project.json'), 'utf8')),
    'nx.json': JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'nx.json'), 'utf8')),
    'empty containers': { a: [], b: {}, c: [{}], d: [[]], e: [{ a: 1 }], f: [[1, 2]] },
    'a long array of strings breaks': { tags: Array.from({ length: 12 }, (_, i) => `team:${'x'.repeat(8)}-${i}`) },
    'an array that fits only without its comma': { a: ['x'.repeat(108)], b: 1 },
    'an array that fits exactly': { a: ['x'.repeat(109)] },
    'arrays of objects and mixed values': { a: [{ b: 1 }, 2, 'three', null, true], n: [1, 2.5, -3] },
    escapes: { 'quote"key': 'line\nbreak', unicode: 'é 🎵' },
  };

  it.each(Object.entries(cases))('%s', async (_, value) => {
    const ours = formatJson(value);
    expect(ours).toBe(await prettierJson(JSON.stringify(value, null, 2)));
  });
});
