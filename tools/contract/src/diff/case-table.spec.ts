import { describe, expect, it } from 'vitest';
import { CONTRACT_CASES, type ContractCase } from './case-table';
import { diffEventContracts } from './events';
import { diffHttpContracts } from './openapi';

const diff = (kind: ContractCase['kind'], base: unknown, head: unknown) =>
  kind === 'http' ? diffHttpContracts(base, head) : diffEventContracts(base, head);

describe('the case table', () => {
  it('has at least 40 cases with unique names', () => {
    expect(CONTRACT_CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CONTRACT_CASES.map((c) => c.name)).size).toBe(CONTRACT_CASES.length);
  });

  describe.each(CONTRACT_CASES.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    it('reports exactly the expected rules and verdicts, in order', () => {
      const changes = diff(testCase.kind, testCase.base, testCase.head);
      expect(changes.map(({ rule, verdict }) => ({ rule, verdict }))).toEqual(testCase.expected);
      for (const change of changes) {
        expect(change.location).not.toBe('');
        expect(change.message).toMatch(/^[^\n]+ — [^\n]+$/);
      }
    });

    it('reports nothing for a document compared with itself (or with a copy)', () => {
      expect(diff(testCase.kind, testCase.base, testCase.base)).toEqual([]);
      expect(diff(testCase.kind, testCase.head, structuredClone(testCase.head))).toEqual([]);
    });
  });
});
