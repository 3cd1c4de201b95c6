import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { badRequest, correlationId, newOrderId, reserve, stockOf } from './requests';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

const receive = (sku: string, payload: unknown) =>
  service.app.inject({
    method: 'POST',
    url: `/stock/${sku}/receipts`,
    payload: payload as object,
    headers: { 'x-correlation-id': correlationId },
  });

describe('POST /stock/:sku/receipts', () => {
  it('adds the received units to what is available, logged with the correlation id', async () => {
    const receiptId = randomUUID();
    const response = await receive('ALB-1003', { receiptId, quantity: 10 });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ sku: 'ALB-1003', available: 13, reserved: 0 });
    expect(service.logs.withMessage('stock received')).toEqual([
      expect.objectContaining({ correlationId, sku: 'ALB-1003', receiptId, quantity: 10, available: 13 }),
    ]);
    // What was received can be reserved.
    const reserved = await reserve(service.app, { orderId: newOrderId(), items: [{ sku: 'ALB-1003', quantity: 13 }] });
    expect(reserved.statusCode).toBe(201);
  });

  it('stocks a SKU it did not hold before', async () => {
    expect((await receive('ALB-2001', { receiptId: randomUUID(), quantity: 4 })).statusCode).toBe(201);
    expect(await stockOf(service.app, 'ALB-2001')).toEqual({ sku: 'ALB-2001', available: 4, reserved: 0 });
  });

  it('counts a retried receipt once (200), and refuses its id for other goods (409)', async () => {
    const receiptId = randomUUID();
    await receive('ALB-1002', { receiptId, quantity: 5 });
    const again = await receive('ALB-1002', { receiptId, quantity: 5 });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ sku: 'ALB-1002', available: 15, reserved: 0 });
    const other = await receive('ALB-1002', { receiptId, quantity: 6 });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({
      message: `Receipt ${receiptId} already added 5 of ALB-1002; send a new receiptId for other goods`,
    });
  });

  it.each([
    ['no receiptId', { quantity: 1 }, "body must have required property 'receiptId'"],
    ['a receiptId that is not a UUID', { receiptId: 'r-1', quantity: 1 }, 'body/receiptId must match format "uuid"'],
    ['no units', { receiptId: '00000000-0000-4000-8000-000000000001', quantity: 0 }, 'body/quantity must be >= 1'],
    [
      'a fraction',
      { receiptId: '00000000-0000-4000-8000-000000000001', quantity: 1.5 },
      'body/quantity must be integer',
    ],
    [
      'an unknown property',
      { receiptId: '00000000-0000-4000-8000-000000000001', quantity: 1, note: 'x' },
      'body must NOT have additional properties',
    ],
  ])('refuses %s with 400 naming the field', async (_, payload, message) => {
    const response = await receive('ALB-1001', payload);
    expect(response.json()).toEqual(badRequest(message));
    expect(await stockOf(service.app, 'ALB-1001')).toMatchObject({ available: 25 });
  });

  it('refuses a malformed SKU with 400', async () => {
    const response = await receive('sku-1', { receiptId: randomUUID(), quantity: 1 });
    expect(response.statusCode).toBe(400);
  });
});
