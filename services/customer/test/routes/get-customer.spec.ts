import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEvent } from '../../src/chassis';
import { consumeOrderPlaced } from '../../src/events/order-placed/consumer';
import { ORDER_PLACED } from '../../src/events/order-placed/event';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

const correlationId = 'get-customer-test';

const getCustomer = (customerId: string) =>
  service.app.inject({ url: `/customers/${customerId}`, headers: { 'x-correlation-id': correlationId } });

describe('GET /customers/:customerId', () => {
  it('answers a registered customer with their loyalty points', async () => {
    const created = await service.app.inject({
      method: 'POST',
      url: '/customers',
      payload: { name: 'Pharoah Sanders', email: `pharoah-${randomUUID()}@example.com` },
    });
    const response = await getCustomer(created.json().customerId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ...created.json(), loyaltyPoints: 0 });
  });

  it('answers the loyalty points the OrderPlaced events of their orders earned', async () => {
    const created = await service.app.inject({
      method: 'POST',
      url: '/customers',
      payload: { name: 'Pharoah Sanders', email: `pharoah-${randomUUID()}@example.com` },
    });
    const { customerId } = created.json();
    const consume = consumeOrderPlaced(service.logger);
    await consume(createEvent(ORDER_PLACED, { orderId: randomUUID(), customerId, totalCents: 4398 }));
    expect((await getCustomer(customerId)).json()).toMatchObject({ customerId, loyaltyPoints: 43 });
  });

  it('answers 404 for an id nobody has', async () => {
    const customerId = randomUUID();
    const response = await getCustomer(customerId);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: `No customer ${customerId}`,
      correlationId,
    });
  });

  it('answers 400 for an id that is not a UUID', async () => {
    const response = await getCustomer('42');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ statusCode: 400, message: 'params/customerId must match format "uuid"' });
  });
});
