import type { PublishedEvent } from '../chassis';

/**
 * The version of the events this service publishes (contract/events.json): raise the major for a breaking change;
 * `npm run contract -- check` says when.
 */
export const eventsVersion = '1.0.0';

/**
 * Every event this service publishes, in its contract: `npx plop event` adds each event here (entry and import).
 * None yet: src/events/order-placed/ is order-processor's OrderPlaced, which this service consumes.
 */
export const publishedEvents: PublishedEvent[] = [];
