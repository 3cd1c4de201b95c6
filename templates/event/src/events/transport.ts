import type { EventEnvelope } from '../chassis';

/** Where published events go. A broker adapter (Kafka, NATS, SQS, …) implements this same interface. */
export interface EventTransport {
  publish(event: EventEnvelope): Promise<void>;
}

/** Receives a delivered message: unvalidated JSON, as it would arrive from a broker. */
export type EventListener = (message: unknown) => Promise<void> | void;

/**
 * Delivers events to subscribers in this process. Each listener gets the event as the JSON a broker would carry
 * (parsed again, never the publisher's object), so consumers validate what really arrives. `publish` settles when
 * every listener has, and rejects when one fails: the publisher learns its event was not handled.
 */
export class InProcessTransport implements EventTransport {
  private readonly listeners = new Map<string, Set<EventListener>>();

  /** Listens to one event type; returns the function that stops listening. */
  subscribe(type: string, listener: EventListener): () => void {
    const listeners = this.listeners.get(type) ?? new Set<EventListener>();
    listeners.add(listener);
    this.listeners.set(type, listeners);
    return () => listeners.delete(listener);
  }

  async publish(event: EventEnvelope): Promise<void> {
    const wire = JSON.stringify(event);
    const listeners = [...(this.listeners.get(event.type) ?? [])];
    await Promise.all(listeners.map(async (listener) => listener(JSON.parse(wire) as unknown)));
  }
}

/** The transport publishers use unless given another: wire consumers to it with `subscribe`. */
export const inProcessTransport = new InProcessTransport();
