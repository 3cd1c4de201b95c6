// Platform-owned: events through NATS JetStream. Changes come from templates/service on upgrade, not by hand.
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { connect, headers, nanos, type NatsConnection } from '@nats-io/transport-node';
import type { FastifyBaseLogger } from 'fastify';
import type { BrokerConfig } from '../config';
import type { EventEnvelope } from '../events';
import type { ReadinessCheck } from '../health';
import { logPublished, SubscriptionConsumer, type Settlement } from './delivery';
import { duplicateSubscription, type EventSubscription, type ServiceEventTransport } from './transport';

/** Every MusicCorp event, on `musiccorp.events.<CloudEvents type>`; kept 7 days whether consumed or not. */
export const EVENTS_STREAM = 'MUSICCORP_EVENTS';
export const EVENTS_SUBJECT_PREFIX = 'musiccorp.events';
/** What consumers gave up on, on `musiccorp.dead-letter.<consuming service>`; kept 30 days. */
export const DEAD_LETTER_STREAM = 'MUSICCORP_DEAD_LETTERS';
export const DEAD_LETTER_SUBJECT_PREFIX = 'musiccorp.dead-letter';
/** Headers a dead letter carries besides the original body. */
export const DEAD_LETTER_HEADERS = {
  reason: 'MusicCorp-Dead-Letter-Reason',
  consumer: 'MusicCorp-Consumer',
  subject: 'MusicCorp-Original-Subject',
  sequence: 'MusicCorp-Original-Sequence',
} as const;

const DAY_MS = 24 * 60 * 60 * 1000;
/** A publish retried within this window with the same event id (`Nats-Msg-Id`) is stored once. */
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
const STREAMS: Partial<StreamConfig>[] = [
  {
    name: EVENTS_STREAM,
    subjects: [`${EVENTS_SUBJECT_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(7 * DAY_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  },
  {
    name: DEAD_LETTER_STREAM,
    subjects: [`${DEAD_LETTER_SUBJECT_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: nanos(30 * DAY_MS),
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  },
];

/** Between attempts to connect or to set up streams and consumers; the client reconnects on the same period. */
const RETRY_MS = 1_000;
/** A broker that stops answering (no TCP reset) counts as lost after 2 unanswered pings: about 20 s. */
const PING_INTERVAL_MS = 10_000;
/** Header values are one line; a long reason is cut here. */
const MAX_REASON_LENGTH = 2_000;

/** Dot-separated tokens of letters, digits and dashes: each token is a subject token, no wildcard. */
const EVENT_TYPE = /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/;

export function eventSubject(eventType: string): string {
  if (!EVENT_TYPE.test(eventType)) {
    throw new Error(
      `The event type ${JSON.stringify(eventType)} cannot name a broker subject: use dot-separated letters, digits and dashes, e.g. com.musiccorp.catalog.item-created.`,
    );
  }
  return `${EVENTS_SUBJECT_PREFIX}.${eventType}`;
}

/** The durable consumer of one (service, event type): its position in the stream survives restarts and deploys. */
export function durableName(service: string, eventType: string): string {
  return `${service}__${eventType.replaceAll('.', '_')}`;
}

export interface JetStreamTransportOptions extends Omit<BrokerConfig, 'urls'> {
  urls: string[];
  /** The consuming service: names the durable consumers and the dead-letter subject. */
  service: string;
  logger: FastifyBaseLogger;
}

interface Running {
  messages: ConsumerMessages;
  /** Settles once the message in progress is settled and no more are taken. */
  done: Promise<void>;
}

/**
 * Events through NATS JetStream, at least once. Publishing waits for the stream's acknowledgement (PubAck), with the
 * event id as `Nats-Msg-Id` so a retried publish is stored once. Each subscription is a durable pull consumer
 * (`<service>__<event type>`) with explicit acks, taken one message at a time: acked once handled, nak'ed with a
 * delay when the handler fails, delivered again after BROKER_ACK_WAIT_MS when the process dies before settling it,
 * and dead-lettered (`musiccorp.dead-letter.<service>`, then terminated) when invalid or out of deliveries.
 * Streams and consumers are created when missing, on every (re)connection. Readiness fails while the connection is
 * down or not yet set up, with the reason.
 */
export class JetStreamTransport implements ServiceEventTransport {
  readonly readinessChecks: readonly ReadinessCheck[];
  private readonly consumers = new Map<string, SubscriptionConsumer>();
  private readonly running = new Map<string, Running>();
  private connection: NatsConnection | undefined;
  private client: JetStreamClient | undefined;
  /** Why the transport is not ready; undefined once it is. */
  private notReady: string | undefined;
  private closing = false;
  private closed: Promise<void> | undefined;
  /** Between a disconnect and the reconnect: closing then does not wait for acks to reach the broker. */
  private disconnected = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private settingUp: Promise<void> | undefined;
  private setUpAgain = false;

  constructor(private readonly options: JetStreamTransportOptions) {
    this.notReady = `connecting to the broker at ${this.brokers}`;
    this.readinessChecks = [
      {
        name: 'broker',
        check: () => {
          if (this.notReady !== undefined) throw new Error(this.notReady);
        },
      },
    ];
  }

  private get brokers(): string {
    return this.options.urls.join(',');
  }

  subscribe(subscription: EventSubscription): void {
    eventSubject(subscription.eventType);
    if (this.consumers.has(subscription.eventType)) throw duplicateSubscription(subscription.eventType);
    const { logger, maxDeliver } = this.options;
    this.consumers.set(subscription.eventType, new SubscriptionConsumer(subscription, { logger, maxDeliver }));
    if (this.connection) this.setUp();
  }

  async publish(event: EventEnvelope): Promise<void> {
    const subject = eventSubject(event.type);
    const client = this.client;
    if (!client) {
      throw new Error(
        `Event ${event.type} ${event.id} was not published: not connected to the broker at ${this.brokers} yet.`,
      );
    }
    try {
      await client.publish(subject, JSON.stringify(event), {
        msgID: event.id,
        timeout: this.options.publishTimeoutMs,
      });
    } catch (error) {
      throw new Error(
        `Event ${event.type} ${event.id} was not confirmed by the broker at ${this.brokers} (${errorMessage(error)}). Publishing it again with the same id within 2 minutes is safe: the broker stores it once.`,
        { cause: error },
      );
    }
    logPublished(this.options.logger, event);
  }

  start(): void {
    this.inBackground(this.connect(), 'connecting to the broker');
  }

  /** Once: a second call gets the first one's promise. */
  close(): Promise<void> {
    this.closed ??= this.closeOnce();
    return this.closed;
  }

  private async closeOnce(): Promise<void> {
    this.closing = true;
    this.notReady = 'shutting down';
    clearTimeout(this.retryTimer);
    // No more messages are pulled; the one in hand is handled and settled.
    await Promise.all(
      [...this.running.values()].map(async ({ messages, done }) => {
        await messages.close();
        await done;
      }),
    );
    const { connection } = this;
    if (!connection) return;
    // Drained, the acks just sent reach the broker before the connection closes; unsettled messages come again.
    if (!this.disconnected) {
      try {
        await connection.drain();
        return;
      } catch (error) {
        this.options.logger.warn({ err: error }, 'draining the broker connection failed: closing it');
      }
    }
    await connection.close();
  }

  private async connect(): Promise<void> {
    const { urls, service, logger } = this.options;
    let connection: NatsConnection;
    try {
      connection = await connect({
        servers: urls,
        name: service,
        maxReconnectAttempts: -1,
        reconnectTimeWait: RETRY_MS,
        pingInterval: PING_INTERVAL_MS,
      });
    } catch (error) {
      this.becomeUnready(`cannot reach the broker at ${this.brokers}: ${errorMessage(error)}`);
      this.retry(() => this.inBackground(this.connect(), 'connecting to the broker'));
      return;
    }
    if (this.closing) {
      await connection.close();
      return;
    }
    this.connection = connection;
    this.client = jetstream(connection, { timeout: this.options.publishTimeoutMs });
    logger.info({ broker: connection.getServer() }, 'connected to the broker');
    this.inBackground(this.watch(connection), 'watching the broker connection');
    this.setUp();
  }

  /** Readiness follows the connection: down on a disconnect, up again once reconnected and set up. */
  private async watch(connection: NatsConnection): Promise<void> {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        this.disconnected = true;
        this.becomeUnready(`disconnected from the broker at ${status.server}; reconnecting`);
      } else if (status.type === 'reconnect') {
        this.disconnected = false;
        this.options.logger.info({ broker: status.server }, 'reconnected to the broker');
        this.setUp();
      }
    }
  }

  /** Streams, consumers and consume loops, each created when missing; one run at a time, rerun when asked during one. */
  private setUp(): void {
    if (this.settingUp) {
      this.setUpAgain = true;
      return;
    }
    this.settingUp = this.setUpOnce().finally(() => {
      this.settingUp = undefined;
      if (this.setUpAgain && !this.closing) {
        this.setUpAgain = false;
        this.setUp();
      }
    });
  }

  private async setUpOnce(): Promise<void> {
    const { connection, client } = this;
    if (!connection || !client || this.closing) return;
    try {
      const manager = await jetstreamManager(connection, { timeout: this.options.publishTimeoutMs });
      for (const stream of STREAMS) await ensureStream(manager, stream);
      for (const consumer of this.consumers.values()) {
        await this.ensureConsumer(manager, consumer.subscription.eventType);
        await this.startConsuming(client, consumer);
      }
    } catch (error) {
      if (this.closing) return;
      this.becomeUnready(
        `connected to the broker, but setting up its streams and consumers failed: ${errorMessage(error)}`,
      );
      this.retry(() => this.setUp());
      return;
    }
    // A disconnect during the set-up keeps it unready: the reconnect sets up again.
    if (this.closing || this.disconnected || connection.isClosed()) return;
    this.notReady = undefined;
    this.options.logger.info(
      { streams: STREAMS.map((stream) => stream.name), subscriptions: [...this.consumers.keys()] },
      'broker ready',
    );
  }

  private async ensureConsumer(manager: JetStreamManager, eventType: string): Promise<void> {
    const { service, ackWaitMs, maxDeliver } = this.options;
    const durable = durableName(service, eventType);
    // One delivery beyond maxDeliver, for the event whose every delivery ended unsettled: the consumer then
    // dead-letters it without running the handler (delivery.ts).
    const settings = { ack_wait: nanos(ackWaitMs), max_deliver: maxDeliver + 1 };
    try {
      const { config } = await manager.consumers.info(EVENTS_STREAM, durable);
      if (config.ack_wait !== settings.ack_wait || config.max_deliver !== settings.max_deliver) {
        await manager.consumers.update(EVENTS_STREAM, durable, settings);
      }
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
      await manager.consumers.add(EVENTS_STREAM, {
        durable_name: durable,
        description: `${service} consuming ${eventType}`,
        filter_subject: eventSubject(eventType),
        ack_policy: AckPolicy.Explicit,
        // A consumer created after events were published still gets those the stream keeps.
        deliver_policy: DeliverPolicy.All,
        ...settings,
      });
    }
  }

  private async startConsuming(client: JetStreamClient, consumer: SubscriptionConsumer): Promise<void> {
    const { eventType } = consumer.subscription;
    if (this.running.has(eventType)) return;
    const durable = durableName(this.options.service, eventType);
    const source = await client.consumers.get(EVENTS_STREAM, durable);
    // One at a time: a message waiting in a local buffer would use up its ack wait there.
    const messages = await source.consume({ max_messages: 1 });
    const done = this.consume(messages, consumer, durable);
    this.running.set(eventType, { messages, done });
  }

  private async consume(messages: ConsumerMessages, consumer: SubscriptionConsumer, durable: string): Promise<void> {
    try {
      for await (const message of messages) {
        const settlement = await consumer.deliver({
          payload: message.string(),
          attempt: message.info.deliveryCount,
          deadLetter: (reason) => this.storeDeadLetter(message, durable, reason),
        });
        settle(message, settlement);
      }
    } catch (error) {
      this.options.logger.error({ err: error, consumer: durable }, 'consuming stopped: setting it up again');
    }
    this.running.delete(consumer.subscription.eventType);
    if (!this.closing) {
      this.becomeUnready(`the consumer ${durable} stopped`);
      this.retry(() => this.setUp());
    }
  }

  private async storeDeadLetter(message: JsMsg, durable: string, reason: string): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('not connected to the broker');
    const deadLetterHeaders = headers();
    deadLetterHeaders.set(DEAD_LETTER_HEADERS.reason, oneLine(reason));
    deadLetterHeaders.set(DEAD_LETTER_HEADERS.consumer, durable);
    deadLetterHeaders.set(DEAD_LETTER_HEADERS.subject, message.subject);
    deadLetterHeaders.set(DEAD_LETTER_HEADERS.sequence, String(message.seq));
    await client.publish(`${DEAD_LETTER_SUBJECT_PREFIX}.${this.options.service}`, message.data, {
      headers: deadLetterHeaders,
      // Stored once even if a lost PubAck makes this run again for the same message.
      msgID: `${durable}:${message.seq}`,
      timeout: this.options.publishTimeoutMs,
    });
  }

  /** A task nobody awaits: its failure is logged, never an unhandled rejection (which would stop the process). */
  private inBackground(task: Promise<void>, what: string): void {
    task.catch((error: unknown) => this.options.logger.error({ err: error }, `${what} failed`));
  }

  /** Logs the reason when it changes, so a broker that stays away is one line, not one per retry. */
  private becomeUnready(reason: string): void {
    if (this.closing) return;
    if (reason !== this.notReady) this.options.logger.warn({ reason }, 'broker not ready');
    this.notReady = reason;
  }

  private retry(action: () => void): void {
    if (this.closing) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(action, RETRY_MS);
  }
}

function settle(message: JsMsg, settlement: Settlement): void {
  if (settlement.settle === 'ack') message.ack();
  else if (settlement.settle === 'retry') message.nak(settlement.delayMs);
  else message.term();
}

async function ensureStream(manager: JetStreamManager, stream: Partial<StreamConfig>): Promise<void> {
  const name = stream.name ?? '';
  try {
    // An existing stream is left as it is: production may run it with more replicas or other limits.
    await manager.streams.info(name);
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    await manager.streams.add({ ...stream, name });
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function oneLine(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ');
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH)}…` : line;
}
