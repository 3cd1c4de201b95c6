import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { badRequest, correlationId, newOrderId, reserve } from './requests';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

const getStock = (sku: string) =>
  service.app.inject({ method: 'GET', url: `/stock/${sku}`, headers: { 'x-correlation-id': correlationId } });

describe('GET /stock/:sku', () => {
  it('answers the seeded stock of a SKU', async () => {
    const response = await getStock('ALB-1003');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ sku: 'ALB-1003', available: 3, reserved: 0 });
  });

  it('counts reserved units apart from the available ones', async () => {
    await reserve(service.app, { orderId: newOrderId(), items: [{ sku: 'ALB-1003', quantity: 2 }] });
    expect((await getStock('ALB-1003')).json()).toEqual({ sku: 'ALB-1003', available: 1, reserved: 2 });
  });

  it('keeps each instance its own stock', async () => {
    await reserve(service.app, { orderId: newOrderId(), items: [{ sku: 'ALB-1003', quantity: 3 }] });
    const other = await buildTestApp({ routes });
    try {
      expect((await other.app.inject({ url: '/stock/ALB-1003' })).json()).toMatchObject({ available: 3 });
    } finally {
      await other.app.close();
    }
  });

  it('answers 404 naming a SKU the warehouse does not stock', async () => {
    const response = await getStock('ALB-9999');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'SKU ALB-9999 is not stocked',
      correlationId,
    });
  });

  it('answers 400 for a malformed SKU', async () => {
    const response = await getStock('alb-1001');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(badRequest('params/sku must match pattern "^[A-Z]{3}-[0-9]{4}$"'));
  });
});
