import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { badRequest, correlationId, newOrderId, release, reserve } from './requests';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

const getReservation = (orderId: string) =>
  service.app.inject({ url: `/reservations/${orderId}`, headers: { 'x-correlation-id': correlationId } });

describe('GET /reservations/:orderId', () => {
  it('answers what is held for the order, then that it was released', async () => {
    const orderId = newOrderId();
    const items = [{ sku: 'ALB-1001', quantity: 1 }];
    await reserve(service.app, { orderId, items });
    expect((await getReservation(orderId)).json()).toEqual({ orderId, status: 'reserved', items });
    await release(service.app, orderId);
    const response = await getReservation(orderId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ orderId, status: 'released', items });
  });

  it('answers 404 for an order that holds no reservation', async () => {
    const orderId = newOrderId();
    const response = await getReservation(orderId);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404, message: `No reservation for order ${orderId}` });
  });

  it('answers 400 for an orderId that is not a UUID', async () => {
    const response = await getReservation('42');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(badRequest('params/orderId must match format "uuid"'));
  });
});
