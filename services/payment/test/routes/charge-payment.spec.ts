import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routes } from '../../src/routes';
import { buildTestApp, type TestApp } from '../support';
import { charge, correlationId, DECLINED_CARD, errorBody, GOOD_CARD, newOrderId } from './requests';

let service: TestApp;
beforeEach(async () => {
  service = await buildTestApp({ routes });
});
afterEach(() => service.app.close());

/** Whatever happened, no log line may hold a full card number. */
afterEach(() => {
  for (const card of [GOOD_CARD, DECLINED_CARD]) {
    expect(service.logs.raw.filter((line) => line.includes(card))).toEqual([]);
  }
});

const paymentOf = async (orderId: string) => (await service.app.inject({ url: `/payments/${orderId}` })).json();

describe('POST /payments', () => {
  it('captures the charge and logs it with the last four digits only', async () => {
    const orderId = newOrderId();
    const response = await charge(service.app, { orderId, amountCents: 3798, cardNumber: GOOD_CARD });
    expect(response.statusCode).toBe(201);
    const payment = response.json();
    expect(payment).toEqual({
      paymentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      orderId,
      amountCents: 3798,
      cardLast4: '4242',
      status: 'captured',
    });
    expect(await paymentOf(orderId)).toEqual(payment);
    expect(service.logs.withMessage('payment captured')).toEqual([
      expect.objectContaining({
        correlationId,
        orderId,
        paymentId: payment.paymentId,
        amountCents: 3798,
        cardLast4: '4242',
      }),
    ]);
  });

  it(`declines the test card ${DECLINED_CARD} with 402 and records the decline`, async () => {
    const orderId = newOrderId();
    const response = await charge(service.app, { orderId, amountCents: 1999, cardNumber: DECLINED_CARD });
    expect(response.statusCode).toBe(402);
    expect(response.json()).toEqual(errorBody(402, 'Payment Required', 'The card ending 0002 was declined'));
    expect(await paymentOf(orderId)).toMatchObject({
      orderId,
      amountCents: 1999,
      cardLast4: '0002',
      status: 'declined',
    });
    expect(service.logs.withMessage('payment declined')).toEqual([
      expect.objectContaining({ correlationId, orderId, amountCents: 1999, cardLast4: '0002' }),
    ]);
  });

  it('is idempotent by orderId: the same charge again answers the same payment and charges once', async () => {
    const request = { orderId: newOrderId(), amountCents: 1799, cardNumber: GOOD_CARD };
    const first = await charge(service.app, request);
    const again = await charge(service.app, request);
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(service.logs.withMessage('payment captured')).toHaveLength(1);
    expect(service.logs.withMessage('charge already made')).toEqual([
      expect.objectContaining({ orderId: request.orderId, paymentId: first.json().paymentId, status: 'captured' }),
    ]);
  });

  it('answers a retried declined charge with the same 402', async () => {
    const request = { orderId: newOrderId(), amountCents: 1999, cardNumber: DECLINED_CARD };
    await charge(service.app, request);
    const again = await charge(service.app, request);
    expect(again.statusCode).toBe(402);
    expect(again.json()).toEqual(errorBody(402, 'Payment Required', 'The card ending 0002 was declined'));
    expect(service.logs.withMessage('payment declined')).toHaveLength(1);
  });

  it.each([
    ['amount', { amountCents: 2000, cardNumber: GOOD_CARD }],
    ['card', { amountCents: 1999, cardNumber: '5555555555554444' }],
  ])('refuses a different %s under an orderId already charged, with 409', async (_, change) => {
    const orderId = newOrderId();
    const first = await charge(service.app, { orderId, amountCents: 1999, cardNumber: GOOD_CARD });
    const response = await charge(service.app, { orderId, ...change });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toEqual(
      errorBody(
        409,
        'Conflict',
        `Order ${orderId} already has a captured payment of 1999 cents with the card ending 4242; a different charge needs a new orderId`,
      ),
    );
    expect(await paymentOf(orderId)).toEqual(first.json());
  });

  const orderId = '6f1c1e0a-3b8e-4c1e-9a0e-2f3c4d5e6f70';
  const valid = { orderId, amountCents: 1999, cardNumber: GOOD_CARD };
  it.each([
    ['no orderId', { ...valid, orderId: undefined }, "body must have required property 'orderId'"],
    ['an orderId that is not a UUID', { ...valid, orderId: 'order-1' }, 'body/orderId must match format "uuid"'],
    ['no amountCents', { ...valid, amountCents: undefined }, "body must have required property 'amountCents'"],
    ['an amount of 0', { ...valid, amountCents: 0 }, 'body/amountCents must be >= 1'],
    ['an amount in dollars', { ...valid, amountCents: 19.99 }, 'body/amountCents must be integer'],
    ['no cardNumber', { ...valid, cardNumber: undefined }, "body must have required property 'cardNumber'"],
    [
      'a card number with spaces',
      { ...valid, cardNumber: '4242 4242 4242 4242' },
      'body/cardNumber must match pattern "^[0-9]{12,19}$"',
    ],
    [
      'a card number too short',
      { ...valid, cardNumber: '42424242' },
      'body/cardNumber must match pattern "^[0-9]{12,19}$"',
    ],
    [
      'a card number with a wrong check digit',
      { ...valid, cardNumber: '4242424242424241' },
      'body/cardNumber is not a card number: its check digit is wrong (Luhn)',
    ],
    ['an unknown property', { ...valid, currency: 'EUR' }, 'body must NOT have additional properties'],
  ])('answers 400 for %s, charging nothing', async (_, payload, message) => {
    const response = await charge(service.app, payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(errorBody(400, 'Bad Request', message));
    expect((await service.app.inject({ url: `/payments/${orderId}` })).statusCode).toBe(404);
  });
});
