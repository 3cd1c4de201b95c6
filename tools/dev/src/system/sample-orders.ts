/**
 * MusicCorp at work, as a customer would use it: register, then order an album twice — once paid, once with the
 * payment service's always-declined test card (services/payment/README.md), which the order saga compensates by
 * releasing the reserved stock. Each call carries a correlation id of its own, to find its trace by.
 */
import { randomUUID } from 'node:crypto';

/** services/payment/README.md: any other valid card is captured. */
export const DECLINED_TEST_CARD = '4000000000000002';
export const ACCEPTED_TEST_CARD = '4242424242424242';
/** Seeded in catalog and inventory: "Kind of Blue". */
export const SAMPLE_SKU = 'ALB-1001';

export interface Call {
  correlationId: string;
  request: string;
  status: number;
  body: unknown;
}

export interface SampleOrders {
  customer: Call;
  placed: Call;
  declined: Call;
}

export interface SystemUrls {
  customer: string;
  orderProcessor: string;
}

export async function placeSampleOrders(urls: SystemUrls, label = 'sample'): Promise<SampleOrders> {
  const run = randomUUID().slice(0, 8);
  const customer = await post(`${label}-customer-${run}`, urls.customer, '/customers', {
    name: 'Ada Lovelace',
    email: `ada-${run}@example.com`,
  });
  const customerId = (customer.body as { customerId?: unknown }).customerId;
  if (customer.status !== 201 || typeof customerId !== 'string') {
    throw new Error(`POST /customers answered ${customer.status}: ${JSON.stringify(customer.body)}`);
  }
  const order = (cardNumber: string) => ({ customerId, items: [{ sku: SAMPLE_SKU, quantity: 1 }], cardNumber });
  const placed = await post(`${label}-order-${run}`, urls.orderProcessor, '/orders', order(ACCEPTED_TEST_CARD));
  const declined = await post(`${label}-declined-${run}`, urls.orderProcessor, '/orders', order(DECLINED_TEST_CARD));
  return { customer, placed, declined };
}

async function post(correlationId: string, base: string, path: string, body: unknown): Promise<Call> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-correlation-id': correlationId },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text
  }
  return { correlationId, request: `POST ${path}`, status: response.status, body: parsed };
}
