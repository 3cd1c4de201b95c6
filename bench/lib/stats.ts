/** Small, dependency-free statistics for benchmark samples. Every function rejects an empty sample. */

function sorted(values: readonly number[]): number[] {
  if (values.length === 0) throw new Error('No samples.');
  return [...values].sort((a, b) => a - b);
}

/** `ordered[index]`; callers index within the (non-empty) sample, so a miss is a bug in this file. */
function at(ordered: readonly number[], index: number): number {
  const value = ordered[index];
  if (value === undefined) throw new Error(`No sample at index ${index} of ${ordered.length}.`);
  return value;
}

export function min(values: readonly number[]): number {
  return at(sorted(values), 0);
}

export function max(values: readonly number[]): number {
  const ordered = sorted(values);
  return at(ordered, ordered.length - 1);
}

export function mean(values: readonly number[]): number {
  sorted(values);
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Percentile with linear interpolation between closest ranks (p in 0..100); p=50 is the median. */
export function percentile(values: readonly number[], p: number): number {
  if (p < 0 || p > 100) throw new Error(`Percentile ${p} is outside 0..100.`);
  const s = sorted(values);
  const rank = (p / 100) * (s.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return at(s, low) + (at(s, high) - at(s, low)) * (rank - low);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

export interface Summary {
  n: number;
  min: number;
  median: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  return { n: values.length, min: min(values), median: median(values), max: max(values), mean: mean(values) };
}
