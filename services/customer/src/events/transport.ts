/**
 * The service's events, from the chassis (src/chassis/broker): `eventTransport` is the NATS JetStream broker
 * BROKER_URL names, or in-process when it is unset; publishers use it unless given another, and
 * src/subscriptions.ts lists what this service consumes. InProcessTransport is the same in-process delivery, for
 * tests.
 */
export { eventTransport, InProcessTransport, type EventTransport } from '../chassis';
