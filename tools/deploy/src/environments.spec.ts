/**
 * The environment files: the real ones are valid and say what the book says (1/2/4 replicas, debug logs only in
 * ci, approval for production), and a broken file is refused with file, line, field and fix.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import {
  EnvironmentConfigError,
  loadEnvironment,
  loadEnvironments,
  settingsFor,
  type EnvironmentProblem,
} from './environments';
import { checkSchema, type RootSchema } from '@musiccorp/core/json-schema';
import { createDeployWorkspace, type DeployWorkspace } from './testing/workspace';

describe('the committed environment files', () => {
  it('are valid, in promotion order ci → preprod → production', async () => {
    const environments = await loadEnvironments(WORKSPACE_ROOT);
    expect(environments.map((env) => env.name)).toEqual(['ci', 'preprod', 'production']);
    expect(environments.map((env) => env.replicas)).toEqual([1, 2, 4]);
    expect(environments.map((env) => env.env['LOG_LEVEL'])).toEqual(['debug', 'info', 'info']);
    expect(environments.map((env) => env.approval)).toEqual(['none', 'none', 'required']);
    for (const env of environments) expect(env.namespace).toBe(`musiccorp-${env.name}`);
    // Each environment's services reach the broker in their own namespace.
    for (const env of environments) {
      expect(env.env['BROKER_URL']).toBe(`nats://nats.${env.namespace}.svc.cluster.local:4222`);
    }
  });

  it('have a schema ajv enforces in full (strict mode refuses a keyword, format or type rule it would ignore)', async () => {
    const schema = JSON.parse(
      await readFile(join(WORKSPACE_ROOT, 'platform/environments/environment.schema.json'), 'utf8'),
    ) as RootSchema;
    expect(() => checkSchema(schema)).not.toThrow();
  });
});

describe('an invalid environment file', () => {
  let ws: DeployWorkspace;
  beforeEach(async () => {
    ws = await createDeployWorkspace(['catalog']);
  });
  afterEach(async () => ws.dispose());

  /** Rewrites ci.json with `change` applied and returns the problems loading it reports. */
  async function problemsAfter(change: (env: Record<string, unknown>) => void): Promise<EnvironmentProblem[]> {
    const file = join(ws.root, 'platform/environments/ci.json');
    const env = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    change(env);
    await writeFile(file, `${JSON.stringify(env, null, 2)}\n`);
    const error = await loadEnvironment(ws.root, 'ci').then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(EnvironmentConfigError);
    return (error as EnvironmentConfigError).problems;
  }

  it('names the file, the line, the field and the fix', async () => {
    const problems = await problemsAfter((env) => (env['replicas'] = 'two'));
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    expect(problem).toMatchObject({ file: 'platform/environments/ci.json', field: 'replicas' });
    expect(problem!.line).toBe(7);
    const message = new EnvironmentConfigError(problems).message;
    expect(message).toContain(
      'platform/environments/ci.json:7: "replicas" must be an integer from 1 to 50 (got "two")',
    );
    expect(message).toContain('Fix: write an integer from 1 to 50, without quotes');
  });

  it('reports a wrong log level, an unknown field and a missing field together', async () => {
    const problems = await problemsAfter((env) => {
      (env['env'] as Record<string, string>)['LOG_LEVEL'] = 'verbose';
      env['replica'] = 3;
      delete env['namespace'];
    });
    expect(problems.map((p) => [p.field, p.message])).toEqual(
      expect.arrayContaining([
        ['namespace', 'is missing'],
        ['env.LOG_LEVEL', expect.stringContaining('must be one of "fatal", "error", "warn", "info", "debug"')],
        ['replica', 'is not a known field'],
      ]),
    );
  });

  it('refuses a name that is not the file name, a reserved or secret-looking variable, an unknown service', async () => {
    const problems = await problemsAfter((env) => {
      env['name'] = 'cee-eye';
      env['env'] = { ...(env['env'] as object), PORT: '8080', DB_PASSWORD: 'hunter2' };
      env['services'] = { catalgo: { replicas: 2 } };
    });
    expect(problems.map((p) => p.field).sort()).toEqual(['env.DB_PASSWORD', 'env.PORT', 'name', 'services.catalgo']);
    expect(problems.find((p) => p.field === 'env.PORT')!.fix).toContain('package.json musiccorp.port');
    expect(problems.find((p) => p.field === 'env.DB_PASSWORD')!.fix).toContain('Kubernetes Secret');
  });

  it('refuses an environment without a broker, or a broker URL with credentials', async () => {
    const missing = await problemsAfter((env) => delete (env['env'] as Record<string, string>)['BROKER_URL']);
    expect(missing).toEqual([
      expect.objectContaining({
        field: 'env.BROKER_URL',
        message: 'is missing',
        fix: expect.stringContaining('without it the services would keep their events in the process'),
      }),
    ]);
    const withCredentials = await problemsAfter((env) => {
      (env['env'] as Record<string, string>)['BROKER_URL'] = 'nats://ci:hunter2@nats:4222';
    });
    expect(withCredentials).toEqual([
      expect.objectContaining({ field: 'env.BROKER_URL', message: expect.stringContaining('is not valid') }),
    ]);
  });

  it('refuses a drain delay that is not below the shutdown timeout (the service would not start)', async () => {
    const problems = await problemsAfter((env) => {
      env['services'] = { catalog: { env: { SHUTDOWN_TIMEOUT_MS: '4000' } } };
    });
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'services.catalog.env.SHUTDOWN_DRAIN_DELAY_MS',
        message: expect.stringContaining('(5000) is not below SHUTDOWN_TIMEOUT_MS (4000)'),
      }),
    ]);
  });

  it('refuses a drain delay shorter than the readiness probe takes to notice the 503', async () => {
    const problems = await problemsAfter((env) => {
      env['services'] = { catalog: { env: { SHUTDOWN_DRAIN_DELAY_MS: '1000' } } };
    });
    expect(problems).toEqual([
      expect.objectContaining({
        field: 'services.catalog.env.SHUTDOWN_DRAIN_DELAY_MS',
        message: expect.stringContaining(
          '(1000) is shorter than the 4000 ms the readiness probe takes to notice the 503 (periodSeconds 2 × failureThreshold 2)',
        ),
        fix: 'raise SHUTDOWN_DRAIN_DELAY_MS to at least 4000 (the default is 5000)',
      }),
    ]);
  });

  it('reports JSON syntax errors with their line', async () => {
    await writeFile(join(ws.root, 'platform/environments/ci.json'), '{\n  "name": "ci",\n  "order": 1,,\n}\n');
    await expect(loadEnvironment(ws.root, 'ci')).rejects.toThrow(/ci\.json:3: is not valid JSON/);
  });

  it('stops loadEnvironments when any file is bad, and refuses two environments at the same position', async () => {
    const file = join(ws.root, 'platform/environments/preprod.json');
    const preprod = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...preprod, order: 1 }));
    await expect(loadEnvironments(ws.root)).rejects.toThrow(
      /preprod\.json: "order" is 1, the same as platform\/environments\/ci\.json/,
    );
  });
});

describe('settingsFor', () => {
  it('applies a service override on top of the environment, and states the shutdown timings explicitly', async () => {
    const production = await loadEnvironment(WORKSPACE_ROOT, 'production');
    const overridden = {
      ...production,
      services: { catalog: { replicas: 6, env: { LOG_LEVEL: 'warn', FEATURE_X: 'on' } } },
    };
    expect(settingsFor(overridden, 'catalog')).toMatchObject({
      replicas: 6,
      env: { LOG_LEVEL: 'warn', FEATURE_X: 'on', SHUTDOWN_TIMEOUT_MS: '10000', SHUTDOWN_DRAIN_DELAY_MS: '5000' },
      shutdownTimeoutMs: 10_000,
      drainDelayMs: 5_000,
    });
    expect(settingsFor(overridden, 'payment')).toMatchObject({ replicas: 4, env: { LOG_LEVEL: 'info' } });
  });

  it("gives a service the URL of each service it calls: that Service in the environment's namespace", async () => {
    const production = await loadEnvironment(WORKSPACE_ROOT, 'production');
    const { env } = settingsFor(production, 'order-processor', ['catalog', 'order-processor-v2']);
    expect(env).toMatchObject({
      CATALOG_URL: `http://catalog.${production.namespace}.svc.cluster.local`,
      ORDER_PROCESSOR_V2_URL: `http://order-processor-v2.${production.namespace}.svc.cluster.local`,
    });
    // An environment's own value wins: a service reached elsewhere in one environment.
    const elsewhere = { ...production, env: { ...production.env, CATALOG_URL: 'http://catalog.example' } };
    expect(settingsFor(elsewhere, 'order-processor', ['catalog']).env).toMatchObject({
      CATALOG_URL: 'http://catalog.example',
    });
  });
});
