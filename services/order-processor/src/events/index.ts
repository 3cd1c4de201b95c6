import type { PublishedEvent } from '../chassis';
import { ORDER_PLACED, orderPlacedDataSchema } from './order-placed/event';

/**
 * The version of the events this service publishes (contract/events.json): raise the major for a breaking change;
 * `npm run contract -- check` says when.
 */
export const eventsVersion = '1.0.0';

/** Every event this service publishes, in its contract: `npx plop event` adds each event here (entry and import). */
export const publishedEvents: PublishedEvent[] = [
  {
    type: ORDER_PLACED,
    name: 'OrderPlaced',
    summary: 'An order was placed: its stock reserved and its total charged.',
    dataSchema: orderPlacedDataSchema,
  },
];
