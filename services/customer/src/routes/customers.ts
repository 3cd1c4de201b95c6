import { randomUUID } from 'node:crypto';

/** Customer's own data, in memory: the customers and their loyalty points, earned on OrderPlaced. */

export interface Customer {
  customerId: string;
  name: string;
  email: string;
  loyaltyPoints: number;
}

export interface NewCustomer {
  name: string;
  email: string;
}

export const customerSchema = {
  $id: 'Customer',
  type: 'object',
  required: ['customerId', 'name', 'email', 'loyaltyPoints'],
  additionalProperties: false,
  properties: {
    customerId: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    email: { type: 'string', format: 'email' },
    loyaltyPoints: { type: 'integer', minimum: 0 },
  },
} as const;

/** One loyalty point per whole US dollar an order cost. */
export const loyaltyPointsFor = (totalCents: number) => Math.floor(totalCents / 100);

export type AwardOutcome = { kind: 'awarded' | 'already awarded'; customer: Customer } | { kind: 'unknown customer' };

export type RegisterOutcome =
  { kind: 'created' | 'replayed'; customer: Customer } | { kind: 'conflict'; message: string };

/**
 * The customers, one per email address (compared without case), so registering again with the same name and email
 * answers the customer already there instead of a second one.
 */
export class CustomerDirectory {
  private readonly byId = new Map<string, Customer>();
  private readonly byEmail = new Map<string, Customer>();
  /** The orders whose points were awarded: each order counts once, however often it is announced. */
  private readonly awardedOrders = new Set<string>();

  customer(customerId: string): Customer | undefined {
    return this.byId.get(customerId);
  }

  register({ name, email }: NewCustomer): RegisterOutcome {
    const existing = this.byEmail.get(email.toLowerCase());
    if (existing) {
      if (existing.name === name) return { kind: 'replayed', customer: existing };
      return {
        kind: 'conflict',
        message: `Email ${email} already belongs to customer ${existing.customerId}; register another address or use that customer`,
      };
    }
    const customer: Customer = { customerId: randomUUID(), name, email, loyaltyPoints: 0 };
    this.byId.set(customer.customerId, customer);
    this.byEmail.set(email.toLowerCase(), customer);
    return { kind: 'created', customer };
  }

  awardLoyaltyPoints(customerId: string, orderId: string, points: number): AwardOutcome {
    const customer = this.byId.get(customerId);
    if (!customer) return { kind: 'unknown customer' };
    if (this.awardedOrders.has(orderId)) return { kind: 'already awarded', customer };
    this.awardedOrders.add(orderId);
    customer.loyaltyPoints += points;
    return { kind: 'awarded', customer };
  }
}

/**
 * This process's customers. One instance, not one per app: the routes and the event consumers (src/subscriptions.ts,
 * set up before the app is built) share it.
 */
export const customers = new CustomerDirectory();
