/** The warehouse's stock and the reservations held against it: inventory's own data, in memory. */

/** `ALB-1001`: the SKUs the catalog sells. */
export const SKU_PATTERN = '^[A-Z]{3}-[0-9]{4}$';

export interface StockLevel {
  sku: string;
  /** Units on the shelf that no reservation holds. */
  available: number;
  /** Units held for orders until they ship or are released. */
  reserved: number;
}

export interface ReservationLine {
  sku: string;
  quantity: number;
}

export interface Reservation {
  orderId: string;
  status: 'reserved' | 'released';
  items: ReservationLine[];
}

export const stockLevelSchema = {
  $id: 'StockLevel',
  type: 'object',
  required: ['sku', 'available', 'reserved'],
  additionalProperties: false,
  properties: {
    sku: { type: 'string', pattern: SKU_PATTERN },
    available: { type: 'integer', minimum: 0 },
    reserved: { type: 'integer', minimum: 0 },
  },
} as const;

export const reservationLineSchema = {
  $id: 'ReservationLine',
  type: 'object',
  required: ['sku', 'quantity'],
  additionalProperties: false,
  properties: {
    sku: { type: 'string', pattern: SKU_PATTERN },
    quantity: { type: 'integer', minimum: 1, maximum: 1000 },
  },
} as const;

export const reservationSchema = {
  $id: 'Reservation',
  type: 'object',
  required: ['orderId', 'status', 'items'],
  additionalProperties: false,
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['reserved', 'released'] },
    items: { type: 'array', items: { $ref: 'ReservationLine#' } },
  },
} as const;

/** What the warehouse holds when an instance starts. ALB-1004 is sold out. */
const SEEDED_STOCK: Readonly<Record<string, number>> = {
  'ALB-1001': 25,
  'ALB-1002': 10,
  'ALB-1003': 3,
  'ALB-1004': 0,
};

export type ReserveOutcome =
  { kind: 'reserved' | 'replayed'; reservation: Reservation } | { kind: 'conflict'; message: string };

export type ReceiveOutcome =
  { kind: 'received' | 'replayed'; level: StockLevel } | { kind: 'conflict'; message: string };

export type ReleaseOutcome = { kind: 'released' | 'replayed'; reservation: Reservation } | { kind: 'unknown' };

/**
 * Stock per SKU and the reservations held against it, keyed by the caller's orderId, so a retried reserve or release
 * changes nothing the first call did not. A reservation is all or nothing.
 */
export class StockLedger {
  private readonly levels = new Map<string, StockLevel>();
  private readonly reservations = new Map<string, Reservation>();
  /** Goods received, by the receipt id the warehouse sent: a retried receipt adds nothing. */
  private readonly receipts = new Map<string, { sku: string; quantity: number }>();

  constructor(stock: Readonly<Record<string, number>> = SEEDED_STOCK) {
    for (const [sku, available] of Object.entries(stock)) this.levels.set(sku, { sku, available, reserved: 0 });
  }

  level(sku: string): StockLevel | undefined {
    const level = this.levels.get(sku);
    return level && { ...level };
  }

  reservation(orderId: string): Reservation | undefined {
    return this.reservations.get(orderId);
  }

  reserve(orderId: string, items: ReservationLine[]): ReserveOutcome {
    const existing = this.reservations.get(orderId);
    if (existing) return replayedReservation(existing, items);
    const shortages = items.flatMap(({ sku, quantity }) => {
      const available = this.levels.get(sku)?.available ?? 0;
      return available < quantity ? [`${sku}: ${available} available, ${quantity} requested`] : [];
    });
    if (shortages.length > 0) return { kind: 'conflict', message: `Not enough stock of ${shortages.join('; ')}` };
    for (const { sku, quantity } of items) {
      const level = this.levels.get(sku) as StockLevel;
      level.available -= quantity;
      level.reserved += quantity;
    }
    const reservation: Reservation = { orderId, status: 'reserved', items: items.map((line) => ({ ...line })) };
    this.reservations.set(orderId, reservation);
    return { kind: 'reserved', reservation };
  }

  /** Adds received units to a SKU's available stock (a SKU not stocked before starts at them). */
  receive(receiptId: string, sku: string, quantity: number): ReceiveOutcome {
    const existing = this.receipts.get(receiptId);
    if (existing) {
      if (existing.sku !== sku || existing.quantity !== quantity) {
        return {
          kind: 'conflict',
          message: `Receipt ${receiptId} already added ${existing.quantity} of ${existing.sku}; send a new receiptId for other goods`,
        };
      }
      return { kind: 'replayed', level: { ...(this.levels.get(sku) as StockLevel) } };
    }
    const level = this.levels.get(sku) ?? { sku, available: 0, reserved: 0 };
    level.available += quantity;
    this.levels.set(sku, level);
    this.receipts.set(receiptId, { sku, quantity });
    return { kind: 'received', level: { ...level } };
  }

  release(orderId: string): ReleaseOutcome {
    const reservation = this.reservations.get(orderId);
    if (!reservation) return { kind: 'unknown' };
    if (reservation.status === 'released') return { kind: 'replayed', reservation };
    for (const { sku, quantity } of reservation.items) {
      const level = this.levels.get(sku) as StockLevel;
      level.reserved -= quantity;
      level.available += quantity;
    }
    reservation.status = 'released';
    return { kind: 'released', reservation };
  }
}

/** A second reserve for an order: the same request answers what the first did; anything else is a conflict. */
function replayedReservation(existing: Reservation, items: ReservationLine[]): ReserveOutcome {
  const { orderId } = existing;
  if (existing.status === 'released') {
    return {
      kind: 'conflict',
      message: `The reservation for order ${orderId} was released; reserve under a new orderId`,
    };
  }
  if (!sameLines(existing.items, items)) {
    return {
      kind: 'conflict',
      message: `Order ${orderId} already holds a reservation of other items (${describeLines(existing.items)}); release it first or use a new orderId`,
    };
  }
  return { kind: 'replayed', reservation: existing };
}

const describeLines = (lines: ReservationLine[]) => lines.map((line) => `${line.sku} × ${line.quantity}`).join(', ');

function sameLines(a: ReservationLine[], b: ReservationLine[]): boolean {
  const quantities = new Map(a.map((line) => [line.sku, line.quantity]));
  return a.length === b.length && b.every((line) => quantities.get(line.sku) === line.quantity);
}

/** The first SKU `lines` lists twice, if any. */
export function repeatedSku(lines: ReservationLine[]): string | undefined {
  const seen = new Set<string>();
  for (const { sku } of lines) {
    if (seen.has(sku)) return sku;
    seen.add(sku);
  }
  return undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** This instance's stock and reservations (src/routes/index.ts decorates the routes' scope with it). */
    stock: StockLedger;
  }
}
