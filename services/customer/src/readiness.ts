import type { ReadinessCheck } from './chassis';

/**
 * What must work before this instance takes traffic; GET /health/ready runs every check on each probe
 * (in parallel, 800 ms timeout each). Add one per hard dependency, e.g.
 *   { name: 'postgres', check: () => pool.query('select 1') },
 * Customers live in memory (src/routes/customers.ts), so there is nothing to wait for.
 */
export const readinessChecks: ReadinessCheck[] = [];
