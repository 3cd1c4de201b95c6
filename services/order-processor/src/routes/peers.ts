import { fetchWithContext, readEnv, text } from '../chassis';

/**
 * The services an order goes through, called over HTTP with the chassis' fetchWithContext (correlation id, trace
 * context, an http.client line per call). Their base URLs come from the environment, `<NAME>_URL` as `npm run dev`
 * and the deploy set them.
 */

/** An http(s) base URL without query or fragment, kept without its trailing slash. */
const serviceUrl: ReturnType<typeof text> = {
  form: 'an http:// or https:// base URL, e.g. http://catalog:3100',
  fallback: undefined,
  parse: (raw) => {
    if (!URL.canParse(raw)) return undefined;
    const url = new URL(raw);
    const plain = (url.protocol === 'http:' || url.protocol === 'https:') && !url.search && !url.hash;
    return plain ? raw.replace(/\/+$/, '') : undefined;
  },
};

const peersEnv = { CATALOG_URL: serviceUrl, INVENTORY_URL: serviceUrl, PAYMENT_URL: serviceUrl };

export interface PeerUrls {
  catalog: string;
  inventory: string;
  payment: string;
}

/**
 * Read for each order, never while the routes register (the contract is built with an empty environment): an unset
 * or malformed URL throws the chassis' ConfigError naming the variable before any call is made.
 */
export function peerUrls(env: NodeJS.ProcessEnv = process.env): PeerUrls {
  const urls = readEnv(peersEnv, env);
  return { catalog: urls.CATALOG_URL, inventory: urls.INVENTORY_URL, payment: urls.PAYMENT_URL };
}

export type Peer = keyof PeerUrls;

/** A peer could not be reached, timed out, or answered what its contract does not say it answers. */
export class PeerFailure extends Error {
  override name = 'PeerFailure';

  constructor(
    readonly peer: Peer,
    reason: string,
  ) {
    super(`${peer}: ${reason}`);
  }
}

export interface ReservationLine {
  sku: string;
  quantity: number;
}

export type ReserveResult = { reserved: true } | { reserved: false; reason: string };
export type ChargeResult =
  { outcome: 'captured'; paymentId: string } | { outcome: 'declined' | 'card refused'; reason: string };

interface Answer {
  status: number;
  body: Record<string, unknown> | undefined;
}

/** The calls of one order to catalog, inventory and payment; each answer the order does not expect is a PeerFailure. */
export class Peers {
  constructor(private readonly urls: PeerUrls) {}

  /** The album's price in cents, or undefined when the catalog has no such SKU. */
  async priceOf(sku: string): Promise<number | undefined> {
    const answer = await this.call('catalog', 'GET', `/albums/${encodeURIComponent(sku)}`);
    if (answer.status === 404) return undefined;
    const price = answer.body?.['priceCents'];
    if (answer.status === 200 && Number.isInteger(price)) return price as number;
    throw unexpected('catalog', `GET /albums/${sku}`, answer);
  }

  async reserve(orderId: string, items: ReservationLine[]): Promise<ReserveResult> {
    const answer = await this.call('inventory', 'POST', '/reservations', { orderId, items });
    if (answer.status === 201) return { reserved: true };
    if (answer.status === 409) return { reserved: false, reason: messageOf(answer) };
    throw unexpected('inventory', 'POST /reservations', answer);
  }

  /** True when units were held (and are now back), false when the order held none. */
  async release(orderId: string): Promise<boolean> {
    const path = `/reservations/${orderId}/release`;
    const answer = await this.call('inventory', 'POST', path);
    if (answer.status === 200) return true;
    if (answer.status === 404) return false;
    throw unexpected('inventory', `POST ${path}`, answer);
  }

  async charge(orderId: string, amountCents: number, cardNumber: string): Promise<ChargeResult> {
    const answer = await this.call('payment', 'POST', '/payments', { orderId, amountCents, cardNumber });
    const paymentId = answer.body?.['paymentId'];
    if (answer.status === 201 && typeof paymentId === 'string') return { outcome: 'captured', paymentId };
    if (answer.status === 402) return { outcome: 'declined', reason: messageOf(answer) };
    if (answer.status === 400) return { outcome: 'card refused', reason: messageOf(answer) };
    throw unexpected('payment', 'POST /payments', answer);
  }

  /** True when a captured payment was given back, false when the order has none to refund. */
  async refund(orderId: string): Promise<boolean> {
    const path = `/payments/${orderId}/refund`;
    const answer = await this.call('payment', 'POST', path);
    if (answer.status === 200) return true;
    // No payment, or a declined one: nothing was taken.
    if (answer.status === 404 || answer.status === 409) return false;
    throw unexpected('payment', `POST ${path}`, answer);
  }

  private async call(peer: Peer, method: 'GET' | 'POST', path: string, body?: object): Promise<Answer> {
    const init =
      body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
    try {
      const response = await fetchWithContext(`${this.urls[peer]}${path}`, { method, ...init });
      const text = await response.text();
      return { status: response.status, body: parseObject(text) };
    } catch (error) {
      throw new PeerFailure(peer, `${method} ${path} failed: ${describe(error)}`);
    }
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The `message` of the chassis error shape the peer answered. */
function messageOf(answer: Answer): string {
  const message = answer.body?.['message'];
  return typeof message === 'string' ? message : `status ${answer.status}`;
}

function unexpected(peer: Peer, call: string, answer: Answer): PeerFailure {
  return new PeerFailure(peer, `${call} answered ${answer.status} (${messageOf(answer)})`);
}

/** The error's name and message; the chassis' `http call failed` line beside it has the network error's code. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
