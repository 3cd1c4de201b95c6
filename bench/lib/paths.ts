import { join, resolve } from 'node:path';

/**
 * The workspace root, derived from this file's location. bench/ has no package.json, so tsx runs these files as
 * CommonJS and __dirname is defined (import.meta is not).
 */
export const WORKSPACE_ROOT = resolve(__dirname, '..', '..');
export const BENCH_ROOT = join(WORKSPACE_ROOT, 'bench');
