import { describe, expect, it } from 'vitest';
import { summarizeVitest } from './vitest-summary';

describe('summarizeVitest', () => {
  it('sums every project summary, prefixed or not, and ignores everything else', () => {
    const output = [
      'generators:       Tests  45 passed (45)',
      'catalog:       Tests  2 failed | 40 passed | 1 skipped (43)',
      '      Tests  3 passed (3)',
      'catalog: ✓ test/chassis/health.spec.ts > Tests 9 passed (9) in a test name?',
      ' Test Files  1 passed (1)',
      '\x1b[2m      Tests \x1b[22m \x1b[1m\x1b[32m97 passed\x1b[39m\x1b[22m\x1b[90m (97)\x1b[39m',
    ].join('\n');
    expect(summarizeVitest(output)).toEqual({ passed: 185, failed: 2, skipped: 1 });
  });

  it('is all zero when vitest printed no summary', () => {
    expect(summarizeVitest('nothing ran')).toEqual({ passed: 0, failed: 0, skipped: 0 });
  });
});
