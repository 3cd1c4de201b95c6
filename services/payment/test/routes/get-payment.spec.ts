import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { charge, correlationId, errorBody, GOOD_CARD, newOrderId } from './requests';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

const getPayment = (orderId: string) =>
  service.app.inject({ url: `/payments/${orderId}`, headers: { 'x-correlation-id': correlationId } });

describe('GET /payments/:orderId', () => {
  it("answers the order's payment", async () => {
    const orderId = newOrderId();
    const captured = (await charge(service.app, { orderId, amountCents: 999, cardNumber: GOOD_CARD })).json();
    const response = await getPayment(orderId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(captured);
  });

  it('answers 404 for an order with no payment', async () => {
    const orderId = newOrderId();
    const response = await getPayment(orderId);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual(errorBody(404, 'Not Found', `No payment for order ${orderId}`));
  });

  it('answers 400 for an orderId that is not a UUID', async () => {
    const response = await getPayment('42');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(errorBody(400, 'Bad Request', 'params/orderId must match format "uuid"'));
  });
});
