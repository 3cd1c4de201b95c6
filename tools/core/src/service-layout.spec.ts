import { describe, expect, it } from 'vitest';
import { contractFileOf } from './service-layout';

describe('contractFileOf', () => {
  it('names the service folder and the kind of a committed contract file, and nothing else', () => {
    expect(contractFileOf('services/catalog/contract/openapi.json')).toEqual({
      root: 'services/catalog',
      kind: 'http',
    });
    expect(contractFileOf('services/order-processor/contract/events.json')).toEqual({
      root: 'services/order-processor',
      kind: 'events',
    });
    for (const other of [
      'services/catalog/contract/notes.json',
      'services/catalog/src/contract/openapi.json',
      'services/contract/openapi.json',
      'tools/x/contract/openapi.json',
    ])
      expect(contractFileOf(other)).toBeUndefined();
  });
});
