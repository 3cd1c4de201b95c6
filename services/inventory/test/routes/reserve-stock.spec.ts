import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { badRequest, correlationId, newOrderId, release, reserve, stockOf } from './requests';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

const conflict = (message: string) => ({ statusCode: 409, error: 'Conflict', message, correlationId });

describe('POST /reservations', () => {
  it('holds the units of every item for the order and logs it', async () => {
    const orderId = newOrderId();
    const items = [
      { sku: 'ALB-1001', quantity: 2 },
      { sku: 'ALB-1003', quantity: 3 },
    ];
    const response = await reserve(service.app, { orderId, items });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({ orderId, status: 'reserved', items });
    expect(await stockOf(service.app, 'ALB-1001')).toEqual({ sku: 'ALB-1001', available: 23, reserved: 2 });
    expect(await stockOf(service.app, 'ALB-1003')).toEqual({ sku: 'ALB-1003', available: 0, reserved: 3 });
    expect(service.logs.withMessage('stock reserved')).toEqual([
      expect.objectContaining({ correlationId, orderId, items }),
    ]);
  });

  it('is idempotent by orderId: the same request again answers the same and holds nothing more', async () => {
    const request = { orderId: newOrderId(), items: [{ sku: 'ALB-1002', quantity: 4 }] };
    const first = await reserve(service.app, request);
    const again = await reserve(service.app, request);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await stockOf(service.app, 'ALB-1002')).toEqual({ sku: 'ALB-1002', available: 6, reserved: 4 });
    expect(service.logs.withMessage('stock already reserved for this order')).toHaveLength(1);
  });

  it('holds nothing when any item is short, and names each shortage', async () => {
    const response = await reserve(service.app, {
      orderId: newOrderId(),
      items: [
        { sku: 'ALB-1001', quantity: 1 },
        { sku: 'ALB-1003', quantity: 4 },
        { sku: 'ALB-1004', quantity: 1 },
      ],
    });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(
      conflict('Not enough stock of ALB-1003: 3 available, 4 requested; ALB-1004: 0 available, 1 requested'),
    );
    expect(await stockOf(service.app, 'ALB-1001')).toEqual({ sku: 'ALB-1001', available: 25, reserved: 0 });
  });

  it('treats a SKU it does not stock as none available', async () => {
    const response = await reserve(service.app, { orderId: newOrderId(), items: [{ sku: 'ALB-9999', quantity: 1 }] });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(conflict('Not enough stock of ALB-9999: 0 available, 1 requested'));
  });

  it('refuses other items under an orderId that already holds a reservation', async () => {
    const orderId = newOrderId();
    await reserve(service.app, { orderId, items: [{ sku: 'ALB-1001', quantity: 1 }] });
    const response = await reserve(service.app, { orderId, items: [{ sku: 'ALB-1001', quantity: 2 }] });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(
      conflict(
        `Order ${orderId} already holds a reservation of other items (ALB-1001 × 1); release it first or use a new orderId`,
      ),
    );
    expect(await stockOf(service.app, 'ALB-1001')).toMatchObject({ reserved: 1 });
  });

  it('refuses to reserve again under a released orderId', async () => {
    const request = { orderId: newOrderId(), items: [{ sku: 'ALB-1001', quantity: 1 }] };
    await reserve(service.app, request);
    await release(service.app, request.orderId);
    const response = await reserve(service.app, request);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(
      conflict(`The reservation for order ${request.orderId} was released; reserve under a new orderId`),
    );
    expect(await stockOf(service.app, 'ALB-1001')).toMatchObject({ available: 25, reserved: 0 });
  });

  const orderId = '6f1c1e0a-3b8e-4c1e-9a0e-2f3c4d5e6f70';
  const line = { sku: 'ALB-1001', quantity: 1 };
  it.each([
    ['no orderId', { items: [line] }, "body must have required property 'orderId'"],
    ['an orderId that is not a UUID', { orderId: '42', items: [line] }, 'body/orderId must match format "uuid"'],
    ['no items', { orderId }, "body must have required property 'items'"],
    ['an empty items list', { orderId, items: [] }, 'body/items must NOT have fewer than 1 items'],
    ['a quantity of 0', { orderId, items: [{ ...line, quantity: 0 }] }, 'body/items/0/quantity must be >= 1'],
    [
      'a fractional quantity',
      { orderId, items: [{ ...line, quantity: 1.5 }] },
      'body/items/0/quantity must be integer',
    ],
    [
      'an item without quantity',
      { orderId, items: [{ sku: 'ALB-1001' }] },
      "body/items/0 must have required property 'quantity'",
    ],
    [
      'a malformed SKU',
      { orderId, items: [{ ...line, sku: 'alb-1' }] },
      'body/items/0/sku must match pattern "^[A-Z]{3}-[0-9]{4}$"',
    ],
    ['an unknown property', { orderId, items: [line], priority: 'high' }, 'body must NOT have additional properties'],
    [
      'a SKU listed twice',
      { orderId, items: [line, { sku: 'ALB-1001', quantity: 2 }] },
      'body/items lists SKU ALB-1001 twice: give each SKU once, with its total quantity',
    ],
  ])('answers 400 for %s, holding nothing', async (_, payload, message) => {
    const response = await reserve(service.app, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(badRequest(message));
    expect(await stockOf(service.app, 'ALB-1001')).toMatchObject({ available: 25, reserved: 0 });
  });
});
