import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

const correlationId = 'create-customer-test';
/** The directory is the process's, shared by every test here: each test registers addresses of its own. */
const newEmail = () => `listener-${randomUUID()}@example.com`;

const createCustomer = (payload: unknown) =>
  service.app.inject({
    method: 'POST',
    url: '/customers',
    payload: payload as object,
    headers: { 'x-correlation-id': correlationId },
  });

describe('POST /customers', () => {
  it('registers a customer with no loyalty points yet, and logs the id', async () => {
    const email = newEmail();
    const response = await createCustomer({ name: 'Alice Coltrane', email });
    expect(response.statusCode).toBe(201);
    const customer = response.json();
    expect(customer).toEqual({
      customerId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Alice Coltrane',
      email,
      loyaltyPoints: 0,
    });
    expect((await service.app.inject({ url: `/customers/${customer.customerId}` })).json()).toEqual(customer);
    expect(service.logs.withMessage('customer registered')).toEqual([
      expect.objectContaining({ correlationId, customerId: customer.customerId }),
    ]);
  });

  it('is idempotent by email: the same registration again answers the same customer', async () => {
    const email = newEmail();
    const first = await createCustomer({ name: 'Alice Coltrane', email });
    const again = await createCustomer({ name: 'Alice Coltrane', email: email.toUpperCase() });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(service.logs.withMessage('customer already registered')).toHaveLength(1);
  });

  it('answers 409 for an email another customer has', async () => {
    const email = newEmail();
    const first = (await createCustomer({ name: 'Alice Coltrane', email })).json();
    const response = await createCustomer({ name: 'Someone Else', email });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: `Email ${email} already belongs to customer ${first.customerId}; register another address or use that customer`,
      correlationId,
    });
  });

  it.each([
    ['no name', { email: 'a@example.com' }, "body must have required property 'name'"],
    ['an empty name', { name: '', email: 'a@example.com' }, 'body/name must NOT have fewer than 1 characters'],
    [
      'a name over 100 characters',
      { name: 'x'.repeat(101), email: 'a@example.com' },
      'body/name must NOT have more than 100 characters',
    ],
    ['no email', { name: 'Alice' }, "body must have required property 'email'"],
    ['an email without @', { name: 'Alice', email: 'alice.example.com' }, 'body/email must match format "email"'],
    [
      'an unknown property',
      { name: 'Alice', email: 'a@example.com', loyaltyPoints: 100 },
      'body must NOT have additional properties',
    ],
  ])('answers 400 for %s, registering nobody', async (_, payload, message) => {
    const response = await createCustomer(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message, correlationId });
    expect(service.logs.withMessage('customer registered')).toEqual([]);
  });
});
