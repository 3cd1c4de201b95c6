import { stripVTControlCharacters } from 'node:util';

export interface TestTotals {
  passed: number;
  failed: number;
  skipped: number;
}

/** Sums vitest's `Tests  2 failed | 40 passed | 1 skipped (43)` lines, however Nx prefixes or colours them. */
export function summarizeVitest(output: string): TestTotals {
  const totals: TestTotals = { passed: 0, failed: 0, skipped: 0 };
  // Replayed cache entries keep the colours of the run that filled the cache.
  for (const line of stripVTControlCharacters(output).split('\n')) {
    const counts = /(?:^|\s)Tests\s+((?:\d+ (?:passed|failed|skipped)(?: \| )?)+)\s*\(\d+\)\s*$/.exec(line)?.[1];
    if (counts === undefined) continue;
    for (const [, count, kind] of counts.matchAll(/(\d+) (passed|failed|skipped)/g)) {
      totals[kind as keyof TestTotals] += Number(count);
    }
  }
  return totals;
}
