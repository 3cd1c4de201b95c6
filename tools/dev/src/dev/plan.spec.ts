import { describe, expect, it } from 'vitest';
import { UsageError } from '@musiccorp/core/cli';
import type { ServiceInfo } from '@musiccorp/core/services';
import { serviceUrlVariable } from '@musiccorp/core/consumers';
import { planDev } from './plan';

const service = (name: string, port: number | undefined): ServiceInfo => ({
  name,
  root: `services/${name}`,
  team: 'catalog',
  port,
});
const SERVICES = [
  service('catalog', 3100),
  service('customer', 3104),
  service('inventory', 3101),
  service('order-processor', 3102),
  service('payment', 3103),
];
const CALLS = new Map([['order-processor', ['catalog', 'inventory', 'payment']]]);
const names = (waves: { name: string }[][]) => waves.map((wave) => wave.map((entry) => entry.name));

describe('planDev', () => {
  it('starts every service by default, each after the services it calls', () => {
    const plan = planDev(SERVICES, [], CALLS, 'nats://127.0.0.1:4222');
    expect(names(plan.waves)).toEqual([['catalog', 'customer', 'inventory', 'payment'], ['order-processor']]);
    expect(plan.cycle).toEqual([]);
  });

  it("gives every service each started service's URL and the broker's", () => {
    const plan = planDev(SERVICES, ['order-processor', 'catalog'], CALLS, 'nats://127.0.0.1:4222');
    expect(plan.env).toEqual({
      ORDER_PROCESSOR_URL: 'http://127.0.0.1:3102',
      CATALOG_URL: 'http://127.0.0.1:3100',
      BROKER_URL: 'nats://127.0.0.1:4222',
    });
    // Only the callees that are started order the start.
    expect(names(plan.waves)).toEqual([['catalog'], ['order-processor']]);
    expect(serviceUrlVariable('order-processor')).toBe('ORDER_PROCESSOR_URL');
  });

  it('starts services that call each other in a cycle together, last, and names them', () => {
    const calls = new Map([
      ['catalog', ['payment']],
      ['payment', ['catalog']],
    ]);
    const plan = planDev(SERVICES, ['catalog', 'payment', 'customer'], calls, undefined);
    expect(names(plan.waves)).toEqual([['customer'], ['catalog', 'payment']]);
    expect(plan.cycle).toEqual(['catalog', 'payment']);
    expect(plan.env).not.toHaveProperty('BROKER_URL');
  });

  it('refuses an unknown service, naming the known ones, and a service without a port', () => {
    expect(() => planDev(SERVICES, ['catalgo'], CALLS, undefined)).toThrow(
      new UsageError(
        'No service named catalgo. The services: catalog, customer, inventory, order-processor, payment; or give none to start all.',
      ),
    );
    expect(() => planDev([service('catalog', undefined)], [], CALLS, undefined)).toThrow(
      /catalog has no port in services\/catalog\/package\.json/,
    );
  });
});
