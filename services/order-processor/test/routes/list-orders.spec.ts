import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { DECLINED_CARD, GOOD_CARD, noLoadShedding, startFakePeers, type FakePeers } from './fake-peers';

let service: TestApp;
let peers: FakePeers;
beforeEach(async () => {
  peers = await startFakePeers();
  service = await buildTestApp({ routes, env: noLoadShedding });
});
afterEach(async () => {
  await service.app.close();
  await peers.stop();
});

const listOrders = (query: string) => service.app.inject({ url: `/orders${query}` });

const placeOrder = async (customerId: string, quantity: number, cardNumber = GOOD_CARD) =>
  service.app.inject({
    method: 'POST',
    url: '/orders',
    payload: { customerId, items: [{ sku: 'ALB-1001', quantity }], cardNumber },
  });

describe('GET /orders', () => {
  it("answers a customer's placed orders, oldest first, and no one else's", async () => {
    const customer = randomUUID();
    const first = (await placeOrder(customer, 1)).json();
    await placeOrder(randomUUID(), 1);
    await placeOrder(customer, 1, DECLINED_CARD); // refused: never placed
    const second = (await placeOrder(customer, 2)).json();
    const response = await listOrders(`?customerId=${customer}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ orders: [first, second] });
  });

  it('answers an empty list for a customer with no orders', async () => {
    const response = await listOrders(`?customerId=${randomUUID()}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ orders: [] });
  });

  it.each([
    ['without customerId', '', "querystring must have required property 'customerId'"],
    ['for a customerId that is not a UUID', '?customerId=alice', 'querystring/customerId must match format "uuid"'],
    [
      'for an unknown parameter',
      `?customerId=${randomUUID()}&status=placed`,
      'querystring must NOT have additional properties',
    ],
  ])('answers 400 %s', async (_, query, message) => {
    const response = await listOrders(query);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, error: 'Bad Request', message });
  });
});
