import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { charge, correlationId, DECLINED_CARD, errorBody, GOOD_CARD, newOrderId, refund } from './requests';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

describe('POST /payments/:orderId/refund', () => {
  it('refunds a captured payment in full and logs it as a compensation', async () => {
    const orderId = newOrderId();
    const captured = (await charge(service.app, { orderId, amountCents: 2199, cardNumber: GOOD_CARD })).json();
    const response = await refund(service.app, orderId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ...captured, status: 'refunded' });
    expect(service.logs.withMessage('payment refunded')).toEqual([
      expect.objectContaining({
        compensation: true,
        correlationId,
        orderId,
        paymentId: captured.paymentId,
        amountCents: 2199,
      }),
    ]);
  });

  it('is idempotent: a second refund answers the same and refunds nothing more', async () => {
    const orderId = newOrderId();
    await charge(service.app, { orderId, amountCents: 2199, cardNumber: GOOD_CARD });
    const first = await refund(service.app, orderId);
    const again = await refund(service.app, orderId);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(service.logs.withMessage('payment refunded')).toHaveLength(1);
    expect(service.logs.withMessage('payment already refunded')).toHaveLength(1);
  });

  it('answers a retried charge of a refunded order with the refunded payment, charging nothing', async () => {
    const request = { orderId: newOrderId(), amountCents: 2199, cardNumber: GOOD_CARD };
    await charge(service.app, request);
    await refund(service.app, request.orderId);
    const again = await charge(service.app, request);
    expect(again.json()).toMatchObject({ orderId: request.orderId, status: 'refunded' });
    expect(service.logs.withMessage('payment captured')).toHaveLength(1);
  });

  it('answers 409 for a declined payment: there is nothing to refund', async () => {
    const orderId = newOrderId();
    await charge(service.app, { orderId, amountCents: 1999, cardNumber: DECLINED_CARD });
    const response = await refund(service.app, orderId);
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(
      errorBody(409, 'Conflict', `The payment for order ${orderId} was declined: there is nothing to refund`),
    );
  });

  it('answers 404 for an order with no payment', async () => {
    const orderId = newOrderId();
    const response = await refund(service.app, orderId);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual(errorBody(404, 'Not Found', `No payment for order ${orderId}`));
  });

  it('answers 400 for an orderId that is not a UUID', async () => {
    const response = await refund(service.app, 'order-1');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(errorBody(400, 'Bad Request', 'params/orderId must match format "uuid"'));
  });
});
