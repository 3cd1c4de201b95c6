import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { badRequest, correlationId, newOrderId, release, reserve, stockOf } from './requests';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

describe('POST /reservations/:orderId/release', () => {
  it('puts the units back on the shelf and logs it as a compensation', async () => {
    const orderId = newOrderId();
    const items = [{ sku: 'ALB-1002', quantity: 3 }];
    await reserve(service.app, { orderId, items });
    const response = await release(service.app, orderId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ orderId, status: 'released', items });
    expect(await stockOf(service.app, 'ALB-1002')).toEqual({ sku: 'ALB-1002', available: 10, reserved: 0 });
    expect(service.logs.withMessage('stock released')).toEqual([
      expect.objectContaining({ compensation: true, correlationId, orderId, items }),
    ]);
  });

  it('is idempotent: a second release answers the same and puts nothing more back', async () => {
    const orderId = newOrderId();
    await reserve(service.app, { orderId, items: [{ sku: 'ALB-1002', quantity: 3 }] });
    const first = await release(service.app, orderId);
    const again = await release(service.app, orderId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await stockOf(service.app, 'ALB-1002')).toEqual({ sku: 'ALB-1002', available: 10, reserved: 0 });
    expect(service.logs.withMessage('stock released')).toHaveLength(1);
    expect(service.logs.withMessage('reservation already released')).toHaveLength(1);
  });

  it('releases only its own order', async () => {
    const kept = newOrderId();
    const released = newOrderId();
    await reserve(service.app, { orderId: kept, items: [{ sku: 'ALB-1001', quantity: 2 }] });
    await reserve(service.app, { orderId: released, items: [{ sku: 'ALB-1001', quantity: 5 }] });
    await release(service.app, released);
    expect(await stockOf(service.app, 'ALB-1001')).toEqual({ sku: 'ALB-1001', available: 23, reserved: 2 });
  });

  it('answers 404 for an order that holds no reservation', async () => {
    const orderId = newOrderId();
    const response = await release(service.app, orderId);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: `No reservation for order ${orderId}`,
      correlationId,
    });
  });

  it('answers 400 for an orderId that is not a UUID', async () => {
    const response = await release(service.app, 'order-42');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(badRequest('params/orderId must match format "uuid"'));
  });
});
