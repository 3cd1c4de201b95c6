/** order-processor's own data: the orders placed, in memory. */

/** `ALB-1001`: the SKUs the catalog sells. */
export const SKU_PATTERN = '^[A-Z]{3}-[0-9]{4}$';

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
  lineTotalCents: number;
}

export interface Order {
  orderId: string;
  customerId: string;
  status: 'placed';
  items: OrderLine[];
  totalCents: number;
  paymentId: string;
  placedAt: string;
}

export const orderLineSchema = {
  $id: 'OrderLine',
  type: 'object',
  required: ['sku', 'quantity', 'unitPriceCents', 'lineTotalCents'],
  additionalProperties: false,
  properties: {
    sku: { type: 'string', pattern: SKU_PATTERN },
    quantity: { type: 'integer', minimum: 1 },
    unitPriceCents: { type: 'integer', minimum: 0, description: "The catalog's price when the order was placed" },
    lineTotalCents: { type: 'integer', minimum: 0 },
  },
} as const;

export const orderSchema = {
  $id: 'Order',
  type: 'object',
  required: ['orderId', 'customerId', 'status', 'items', 'totalCents', 'paymentId', 'placedAt'],
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    customerId: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['placed'] },
    items: { type: 'array', items: { $ref: 'OrderLine#' } },
    totalCents: { type: 'integer', minimum: 0, description: 'What the customer was charged, in US cents' },
    paymentId: { type: 'string', format: 'uuid' },
    placedAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The orders placed on this instance, by id and by customer (oldest first). */
export class OrderBook {
  private readonly byId = new Map<string, Order>();
  private readonly byCustomer = new Map<string, Order[]>();

  record(order: Order): void {
    this.byId.set(order.orderId, order);
    const ofCustomer = this.byCustomer.get(order.customerId);
    if (ofCustomer) ofCustomer.push(order);
    else this.byCustomer.set(order.customerId, [order]);
  }

  order(orderId: string): Order | undefined {
    return this.byId.get(orderId);
  }

  ordersOf(customerId: string): readonly Order[] {
    return this.byCustomer.get(customerId) ?? [];
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's orders (src/routes/index.ts decorates the routes' scope with it). */
    orders: OrderBook;
  }
}
