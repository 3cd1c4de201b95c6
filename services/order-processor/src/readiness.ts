import type { ReadinessCheck } from './chassis';

/**
 * What must work before this instance takes traffic; GET /health/ready runs every check on each probe
 * (in parallel, 800 ms timeout each). Add one per hard dependency, e.g.
 *   { name: 'postgres', check: () => pool.query('select 1') },
 * Orders live in memory (src/routes/orders.ts). Catalog, inventory and payment are not checked here: an instance
 * that waited for them would go unready with them, and the orders it could still refuse cleanly (503) would fail
 * at the load balancer instead.
 */
export const readinessChecks: ReadinessCheck[] = [];
