import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  method?: 'GET' | 'POST';
  body?: unknown;
}

export interface LoadResult {
  url: string;
  connections: number;
  durationSeconds: number;
  /**
   * Completed requests / measured seconds. (autocannon's own `requests.average` is the mean of its 1 s samples; it
   * only stops at the sample after the deadline, so a run sometimes lasts 11 samples, and totals differ accordingly.)
   */
  requestsPerSec: number;
  /** Mean of autocannon's per-second samples, for reference. */
  requestsPerSecSampleMean: number;
  /** How long the measured run really lasted. */
  elapsedSeconds: number;
  /** Completed requests over the whole run. */
  requestsTotal: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/** One autocannon run on 127.0.0.1 only, in this process (it takes one core; the service gets the other). */
export async function load(options: LoadOptions): Promise<LoadResult> {
  const host = new URL(options.url).hostname;
  if (host !== '127.0.0.1') throw new Error(`Load tests run against 127.0.0.1 only, not ${host}.`);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationSeconds,
    pipelining: 1,
    method: options.method ?? 'GET',
    ...(options.body === undefined
      ? {}
      : { body: JSON.stringify(options.body), headers: { 'content-type': 'application/json' } }),
  });
  return {
    url: options.url,
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    requestsPerSec: result.requests.total / result.duration,
    requestsPerSecSampleMean: result.requests.average,
    elapsedSeconds: result.duration,
    requestsTotal: result.requests.total,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
  };
}
