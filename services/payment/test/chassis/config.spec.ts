// Platform-owned: tests of the chassis configuration. Changes come from templates/service on upgrade, not by hand.
import { describe, expect, it } from 'vitest';
import { ConfigError, decimal, loadConfig, readEnv, text } from '../../src/chassis/config';
import { serviceInfo } from '../../src/chassis/service-info';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('defaults every variable, PORT from package.json', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: serviceInfo.defaultPort,
      host: '0.0.0.0',
      logLevel: 'info',
      logOutput: { maxBufferBytes: 1_048_576, flushTimeoutMs: 1_000 },
      shutdown: { timeoutMs: 10_000, drainDelayMs: 5_000 },
      pressure: {
        maxEventLoopDelay: 1_000,
        maxEventLoopUtilization: 0,
        maxRssBytes: 0,
        retryAfter: 10,
        sampleInterval: 1_000,
      },
      broker: { urls: null, ackWaitMs: 30_000, maxDeliver: 5, publishTimeoutMs: 5_000 },
    });
    expect(config.pressure.maxHeapUsedBytes).toBeGreaterThan(0);
  });

  it('reads valid values, and treats an empty value as unset', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      LOG_BUFFER_MAX_BYTES: '65536',
      LOG_FLUSH_TIMEOUT_MS: '250',
      SHUTDOWN_TIMEOUT_MS: '8000',
      SHUTDOWN_DRAIN_DELAY_MS: '',
      PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '0.95',
      PRESSURE_MAX_RSS_BYTES: '500000000',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'debug',
      logOutput: { maxBufferBytes: 65_536, flushTimeoutMs: 250 },
      shutdown: { timeoutMs: 8000, drainDelayMs: 5000 },
      pressure: { maxEventLoopUtilization: 0.95, maxRssBytes: 500_000_000 },
    });
  });

  it('names the variable, the expected form and the value it got', () => {
    expect(configError({ PORT: 'abc' }).message).toBe(
      'Invalid configuration: PORT must be an integer from 1 to 65535 (got "abc")',
    );
  });

  it.each(['0', '65536', '80.5', '-1', '1e3', ' 80'])('rejects PORT=%j', (port) => {
    expect(configError({ PORT: port }).problems).toEqual([
      `PORT must be an integer from 1 to 65535 (got ${JSON.stringify(port)})`,
    ]);
  });

  it('lists the allowed log levels', () => {
    expect(configError({ LOG_LEVEL: 'verbose' }).problems).toEqual([
      'LOG_LEVEL must be one of fatal|error|warn|info|debug|trace|silent (got "verbose")',
    ]);
  });

  it('reports every invalid variable at once, on one line', () => {
    const error = configError({ PORT: 'abc', LOG_LEVEL: 'loud', PRESSURE_MAX_EVENT_LOOP_UTILIZATION: '2' });
    expect(error.problems).toHaveLength(3);
    expect(error.message).toContain('PORT must be');
    expect(error.message).toContain('LOG_LEVEL must be');
    expect(error.message).toContain('PRESSURE_MAX_EVENT_LOOP_UTILIZATION must be a number from 0 to 1 (got "2")');
    expect(error.message).not.toContain('\n');
  });

  it('keeps a long or multi-line value short and on one line', () => {
    const error = configError({ PORT: `${'9'.repeat(100)}\nX` });
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain(`(got "${'9'.repeat(40)}…")`);
  });

  it('keeps the log flush timeout within the 5 s the pod keeps beyond the shutdown deadline', () => {
    expect(configError({ LOG_FLUSH_TIMEOUT_MS: '5001' }).problems).toEqual([
      'LOG_FLUSH_TIMEOUT_MS must be an integer from 1 to 5000 (got "5001")',
    ]);
  });

  it('reads the broker: one URL or a cluster of them, and its delivery settings', () => {
    expect(loadConfig({ BROKER_URL: 'nats://nats.musiccorp-ci.svc:4222' }).broker.urls).toEqual([
      'nats://nats.musiccorp-ci.svc:4222',
    ]);
    expect(
      loadConfig({
        BROKER_URL: 'nats://nats-0:4222,nats://[::1]:4222',
        BROKER_ACK_WAIT_MS: '1000',
        BROKER_MAX_DELIVER: '1',
        BROKER_PUBLISH_TIMEOUT_MS: '250',
      }).broker,
    ).toEqual({
      urls: ['nats://nats-0:4222', 'nats://[::1]:4222'],
      ackWaitMs: 1_000,
      maxDeliver: 1,
      publishTimeoutMs: 250,
    });
  });

  it.each([
    'http://nats:4222',
    'nats://nats',
    'nats://nats:70000',
    'nats://user:secret@nats:4222',
    'nats://nats:4222,',
    'nats://nats:4222/',
  ])('refuses BROKER_URL=%j', (url) => {
    expect(configError({ BROKER_URL: url }).problems).toEqual([
      `BROKER_URL must be nats://<host>:<port>, several separated by commas, without credentials (got ${JSON.stringify(url)})`,
    ]);
  });

  it('refuses a drain delay that leaves no time to close', () => {
    expect(configError({ SHUTDOWN_TIMEOUT_MS: '1000', SHUTDOWN_DRAIN_DELAY_MS: '1000' }).message).toBe(
      'Invalid configuration: SHUTDOWN_DRAIN_DELAY_MS must be less than SHUTDOWN_TIMEOUT_MS (got 1000 and 1000)',
    );
  });
});

describe('readEnv', () => {
  const schema = { CATALOG_URL: text(), SAMPLE_RATE: decimal({ min: 0, max: 1, fallback: 1 }) };

  it('reports a required variable that is missing or empty', () => {
    for (const env of [{}, { CATALOG_URL: '' }]) {
      expect(() => readEnv(schema, env)).toThrow(
        'Invalid configuration: CATALOG_URL must be a non-empty string (missing)',
      );
    }
  });

  it('returns typed values', () => {
    const values: { CATALOG_URL: string; SAMPLE_RATE: number } = readEnv(schema, {
      CATALOG_URL: 'http://catalog:3101',
      SAMPLE_RATE: '0.25',
    });
    expect(values).toEqual({ CATALOG_URL: 'http://catalog:3101', SAMPLE_RATE: 0.25 });
  });
});
