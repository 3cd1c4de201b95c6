import { describe, expect, it } from 'vitest';
import type { PerfThresholds } from './pipeline-file';
import { errorRate, evaluateThresholds, formatCheck, type LoadFigures } from './thresholds';

const thresholds: PerfThresholds = {
  durationSeconds: 20,
  connections: 50,
  minRequestsPerSecond: 5000,
  maxP99Ms: 50,
  maxErrorRate: 0.01,
};
const good: LoadFigures = { requestsPerSec: 8000, latencyP99Ms: 12, requestsTotal: 16000, non2xx: 0, errors: 0 };
const failing = (figures: LoadFigures) =>
  evaluateThresholds(figures, thresholds)
    .filter((check) => !check.ok)
    .map((check) => check.name);

describe('perf thresholds', () => {
  it('passes when every figure is within its threshold, limits included', () => {
    expect(failing(good)).toEqual([]);
    expect(failing({ ...good, requestsPerSec: 5000, latencyP99Ms: 50, non2xx: 160 })).toEqual([]);
  });

  it('fails below the minimum throughput', () => {
    expect(failing({ ...good, requestsPerSec: 4999.9 })).toEqual(['requests/s']);
  });

  it('fails above the p99 latency limit', () => {
    expect(failing({ ...good, latencyP99Ms: 51 })).toEqual(['p99 latency (ms)']);
  });

  it('counts non-2xx answers, connection errors and timeouts as failed requests', () => {
    expect(errorRate({ ...good, requestsTotal: 990, non2xx: 5, errors: 10 })).toBeCloseTo(15 / 1000);
    expect(failing({ ...good, requestsTotal: 990, non2xx: 5, errors: 10 })).toEqual(['error rate']);
  });

  it('a run that got no answer at all has an error rate of 1', () => {
    expect(errorRate({ requestsPerSec: 0, latencyP99Ms: 0, requestsTotal: 0, non2xx: 0, errors: 0 })).toBe(1);
  });

  it('says what was measured against which limit', () => {
    const [rps, p99, errors] = evaluateThresholds({ ...good, latencyP99Ms: 51, errors: 16 }, thresholds);
    expect(formatCheck(rps!)).toBe('✔ requests/s: 8000 (must be ≥ 5000)');
    expect(formatCheck(p99!)).toBe('✖ p99 latency (ms): 51 (must be ≤ 50)');
    expect(formatCheck(errors!)).toBe('✔ error rate: 0.10% (must be ≤ 1.00%)');
  });
});
