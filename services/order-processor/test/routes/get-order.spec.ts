import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { GOOD_CARD, noLoadShedding, startFakePeers, type FakePeers } from './fake-peers';

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

const correlationId = 'get-order-test';

const getOrder = (orderId: string) =>
  service.app.inject({ url: `/orders/${orderId}`, headers: { 'x-correlation-id': correlationId } });

describe('GET /orders/:orderId', () => {
  it('answers a placed order as POST /orders did', async () => {
    const placed = await service.app.inject({
      method: 'POST',
      url: '/orders',
      payload: { customerId: randomUUID(), items: [{ sku: 'ALB-1001', quantity: 1 }], cardNumber: GOOD_CARD },
    });
    expect(placed.statusCode).toBe(201);
    const response = await getOrder(placed.json().orderId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(placed.json());
  });

  it('answers 404 for an order that was never placed', async () => {
    const orderId = randomUUID();
    const response = await getOrder(orderId);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: `No order ${orderId}`,
      correlationId,
    });
  });

  it('answers 400 for an orderId that is not a UUID', async () => {
    const response = await getOrder('42');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, message: 'params/orderId must match format "uuid"' });
  });
});
