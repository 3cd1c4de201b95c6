import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { contractFiles, formatContract } from './contract-files';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..', '..');

describe('contractFiles', () => {
  it("names the service's committed contract files", () => {
    expect(contractFiles('order-processor')).toEqual({
      openapi: 'services/order-processor/contract/openapi.json',
      events: 'services/order-processor/contract/events.json',
    });
  });
});

describe('formatContract', () => {
  const document = {
    openapi: '3.0.3',
    info: { title: 'catalog', version: '1.0.0' },
    paths: {
      '/items': {
        post: {
          requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['name', 'genre'] } } } },
          responses: { 201: { description: 'Default Response' } },
        },
      },
    },
    components: { schemas: {} },
  };

  it('prints what prettier would leave as it is, with a final newline', async () => {
    const options = JSON.parse(readFileSync(join(WORKSPACE_ROOT, '.prettierrc'), 'utf8')) as object;
    const text = formatContract(document);
    expect(await format(text, { ...options, parser: 'json' })).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(document);
  });
});
