// Platform-owned: the service's event transport. Changes come from templates/service on upgrade, not by hand.
import type { FastifyBaseLogger } from 'fastify';
import type { BrokerConfig } from '../config';
import { serviceInfo } from '../service-info';
import { InProcessTransport } from './in-process';
import { JetStreamTransport } from './jetstream';
import type { EventTransport, ServiceEventTransport } from './transport';

export { InProcessTransport, type DeadLetter } from './in-process';
export type { EventSubscription, EventTransport, ServiceEventTransport } from './transport';

/** JetStream when BROKER_URL names the broker, in-process when it is unset. */
export function createEventTransport(config: BrokerConfig, logger: FastifyBaseLogger): ServiceEventTransport {
  const { urls, ...settings } = config;
  if (!urls) return new InProcessTransport({ logger });
  return new JetStreamTransport({ ...settings, urls, service: serviceInfo.name, logger });
}

let active: EventTransport = new InProcessTransport();

/**
 * The service's transport, which publishers use unless given another: the one main.ts creates from the
 * configuration, and before that (in unit tests) an in-process one without subscriptions.
 */
export const eventTransport: EventTransport = {
  publish: (event) => active.publish(event),
  subscribe: (subscription) => active.subscribe(subscription),
};

/** For main.ts: from now on, eventTransport is `transport`. */
export function useEventTransport(transport: EventTransport): void {
  active = transport;
}
