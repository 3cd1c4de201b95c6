// Platform-owned: typed config from environment variables. Changes come from templates/service on upgrade, not by hand.
import { getHeapStatistics } from 'node:v8';
import { serviceInfo } from './service-info';

/**
 * Configuration comes only from environment variables, checked once at start-up against a typed schema,
 * so a bad deployment fails fast with one line naming every wrong variable instead of misbehaving later.
 */

/** How to read one environment variable. No fallback means the variable is required. */
export interface EnvVar<T> {
  /** The expected form, as printed in errors: "an integer from 1 to 65535". */
  readonly form: string;
  readonly fallback: T | undefined;
  /** The value, or undefined when `raw` does not have the expected form. */
  parse(raw: string): T | undefined;
}

interface NumberOptions {
  min: number;
  max?: number;
  fallback?: number;
}

export function integer(options: NumberOptions): EnvVar<number> {
  return numberVar('an integer', /^-?\d+$/, options);
}

export function decimal(options: NumberOptions): EnvVar<number> {
  return numberVar('a number', /^-?\d+(\.\d+)?$/, options);
}

function numberVar(kind: string, pattern: RegExp, { min, max, fallback }: NumberOptions): EnvVar<number> {
  return {
    form: max === undefined ? `${kind} of at least ${min}` : `${kind} from ${min} to ${max}`,
    fallback,
    parse: (raw) => {
      const value = Number(raw);
      return pattern.test(raw) && value >= min && value <= (max ?? Infinity) ? value : undefined;
    },
  };
}

export function oneOf<const T extends string>(values: readonly T[], fallback?: T): EnvVar<T> {
  return {
    form: `one of ${values.join('|')}`,
    fallback,
    parse: (raw) => values.find((value) => value === raw),
  };
}

export function text(options: { fallback?: string } = {}): EnvVar<string> {
  return { form: 'a non-empty string', fallback: options.fallback, parse: (raw) => raw };
}

/**
 * NATS server URLs, comma-separated for a cluster: `nats://host:port`, never with credentials, which would sit in
 * plain text in the environment files. Unset: the service's events stay in the process.
 */
const NATS_SERVER = /^nats:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;
const isNatsServer = (url: string) => {
  const port = Number(NATS_SERVER.exec(url)?.[1] ?? 0);
  return port >= 1 && port <= 65535;
};
const brokerUrls: EnvVar<string[] | null> = {
  form: 'nats://<host>:<port>, several separated by commas, without credentials',
  fallback: null,
  parse: (raw) => {
    const urls = raw.split(',');
    return urls.every(isNatsServer) ? urls : undefined;
  },
};

export type EnvSchema = Record<string, EnvVar<unknown>>;
export type EnvValues<Schema extends EnvSchema> = {
  [Name in keyof Schema]: Schema[Name] extends EnvVar<infer T> ? T : never;
};

export class ConfigError extends Error {
  override name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

/**
 * Reads every variable of `schema` from `env`; an empty value counts as unset.
 * Throws one ConfigError listing all missing or malformed variables.
 */
export function readEnv<Schema extends EnvSchema>(schema: Schema, env: NodeJS.ProcessEnv): EnvValues<Schema> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(schema)) {
    const raw = env[name] || undefined;
    const value = raw === undefined ? variable.fallback : variable.parse(raw);
    if (value === undefined)
      problems.push(`${name} must be ${variable.form} (${raw === undefined ? 'missing' : `got ${quote(raw)}`})`);
    else values[name] = value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as EnvValues<Schema>;
}

/** Keeps the error on one line and short, whatever was in the variable. */
function quote(raw: string): string {
  return JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const chassisEnv = {
  PORT: integer({ min: 1, max: 65535, fallback: serviceInfo.defaultPort }),
  HOST: text({ fallback: '0.0.0.0' }),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  LOG_BUFFER_MAX_BYTES: integer({ min: 65_536, max: 1_073_741_824, fallback: 1_048_576 }),
  // At most 5 s: the pod's grace period keeps 5 s beyond the shutdown deadline (tools/deploy manifests.ts).
  LOG_FLUSH_TIMEOUT_MS: integer({ min: 1, max: 5_000, fallback: 1_000 }),
  // Kubernetes defaults (tools/deploy renders the probes and grace period from them): the drain outlasts the
  // readiness probe's period × failureThreshold (2 s × 2), so endpoints are gone before the listener closes, and
  // the timeout leaves 5 s for in-flight requests after it.
  SHUTDOWN_TIMEOUT_MS: integer({ min: 1, max: 600_000, fallback: 10_000 }),
  SHUTDOWN_DRAIN_DELAY_MS: integer({ min: 0, max: 600_000, fallback: 5_000 }),
  PRESSURE_MAX_EVENT_LOOP_DELAY_MS: integer({ min: 0, fallback: 1_000 }),
  PRESSURE_MAX_EVENT_LOOP_UTILIZATION: decimal({ min: 0, max: 1, fallback: 0 }),
  // 90% of V8's heap limit (which follows --max-old-space-size): shed load before the out-of-memory crash.
  PRESSURE_MAX_HEAP_USED_BYTES: integer({ min: 0, fallback: Math.floor(getHeapStatistics().heap_size_limit * 0.9) }),
  PRESSURE_MAX_RSS_BYTES: integer({ min: 0, fallback: 0 }),
  PRESSURE_RETRY_AFTER_SECONDS: integer({ min: 1, max: 3_600, fallback: 10 }),
  PRESSURE_SAMPLE_INTERVAL_MS: integer({ min: 10, max: 60_000, fallback: 1_000 }),
  BROKER_URL: brokerUrls,
  // A delivery not acked within this is sent again (to this or another instance): above the slowest handler.
  BROKER_ACK_WAIT_MS: integer({ min: 100, max: 3_600_000, fallback: 30_000 }),
  BROKER_MAX_DELIVER: integer({ min: 1, max: 100, fallback: 5 }),
  BROKER_PUBLISH_TIMEOUT_MS: integer({ min: 100, max: 60_000, fallback: 5_000 }),
};

export interface Config {
  port: number;
  host: string;
  logLevel: LogLevel;
  /** Bounds of the stdout log destination (log-destination.ts). */
  logOutput: { maxBufferBytes: number; flushTimeoutMs: number };
  shutdown: { timeoutMs: number; drainDelayMs: number };
  /** @fastify/under-pressure thresholds; 0 turns a check off. */
  pressure: {
    maxEventLoopDelay: number;
    maxEventLoopUtilization: number;
    maxHeapUsedBytes: number;
    maxRssBytes: number;
    retryAfter: number;
    sampleInterval: number;
  };
  /** Where events go (broker/): `urls` null keeps them in the process. */
  broker: BrokerConfig;
}

export interface BrokerConfig {
  urls: string[] | null;
  ackWaitMs: number;
  /** Deliveries of one event to one subscription, the first included, before it goes to the dead letters. */
  maxDeliver: number;
  /** How long a publish waits for the broker's acknowledgement (PubAck) before it fails. */
  publishTimeoutMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const vars = readEnv(chassisEnv, env);
  if (vars.SHUTDOWN_DRAIN_DELAY_MS >= vars.SHUTDOWN_TIMEOUT_MS) {
    throw new ConfigError([
      `SHUTDOWN_DRAIN_DELAY_MS must be less than SHUTDOWN_TIMEOUT_MS (got ${vars.SHUTDOWN_DRAIN_DELAY_MS} and ${vars.SHUTDOWN_TIMEOUT_MS})`,
    ]);
  }
  return {
    port: vars.PORT,
    host: vars.HOST,
    logLevel: vars.LOG_LEVEL,
    logOutput: { maxBufferBytes: vars.LOG_BUFFER_MAX_BYTES, flushTimeoutMs: vars.LOG_FLUSH_TIMEOUT_MS },
    shutdown: { timeoutMs: vars.SHUTDOWN_TIMEOUT_MS, drainDelayMs: vars.SHUTDOWN_DRAIN_DELAY_MS },
    pressure: {
      maxEventLoopDelay: vars.PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
      maxEventLoopUtilization: vars.PRESSURE_MAX_EVENT_LOOP_UTILIZATION,
      maxHeapUsedBytes: vars.PRESSURE_MAX_HEAP_USED_BYTES,
      maxRssBytes: vars.PRESSURE_MAX_RSS_BYTES,
      retryAfter: vars.PRESSURE_RETRY_AFTER_SECONDS,
      sampleInterval: vars.PRESSURE_SAMPLE_INTERVAL_MS,
    },
    broker: {
      urls: vars.BROKER_URL,
      ackWaitMs: vars.BROKER_ACK_WAIT_MS,
      maxDeliver: vars.BROKER_MAX_DELIVER,
      publishTimeoutMs: vars.BROKER_PUBLISH_TIMEOUT_MS,
    },
  };
}
