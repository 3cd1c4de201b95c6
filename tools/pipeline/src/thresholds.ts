/** The perf stage's verdict: a load result against the thresholds of the service's pipeline file. */
import type { PerfThresholds } from './pipeline-file';

/** What the verdict needs from a load run (bench/lib/load.ts `LoadResult` has these fields). */
export interface LoadFigures {
  requestsPerSec: number;
  latencyP99Ms: number;
  /** Completed responses, any status. */
  requestsTotal: number;
  non2xx: number;
  /** Connection errors and timeouts (autocannon counts a timeout as an error too). */
  errors: number;
}

export interface ThresholdCheck {
  name: 'requests/s' | 'p99 latency (ms)' | 'error rate';
  actual: number;
  limit: number;
  /** `min`: actual must be ≥ limit; `max`: actual must be ≤ limit. */
  kind: 'min' | 'max';
  ok: boolean;
}

/** Failed requests (non-2xx answers, errors, timeouts) over all requests; 1 when nothing was answered at all. */
export function errorRate(figures: LoadFigures): number {
  const attempted = figures.requestsTotal + figures.errors;
  return attempted === 0 ? 1 : (figures.non2xx + figures.errors) / attempted;
}

export function evaluateThresholds(figures: LoadFigures, thresholds: PerfThresholds): ThresholdCheck[] {
  const check = (name: ThresholdCheck['name'], actual: number, limit: number, kind: 'min' | 'max') => ({
    name,
    actual,
    limit,
    kind,
    ok: kind === 'min' ? actual >= limit : actual <= limit,
  });
  return [
    check('requests/s', figures.requestsPerSec, thresholds.minRequestsPerSecond, 'min'),
    check('p99 latency (ms)', figures.latencyP99Ms, thresholds.maxP99Ms, 'max'),
    check('error rate', errorRate(figures), thresholds.maxErrorRate, 'max'),
  ];
}

export function formatCheck(check: ThresholdCheck): string {
  const value = (n: number) => (check.name === 'error rate' ? `${(n * 100).toFixed(2)}%` : String(Math.round(n)));
  const rule = check.kind === 'min' ? '≥' : '≤';
  return `${check.ok ? '✔' : '✖'} ${check.name}: ${value(check.actual)} (must be ${rule} ${value(check.limit)})`;
}
