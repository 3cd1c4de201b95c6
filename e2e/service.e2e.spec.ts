/**
 * End to end, with real processes and no mocks: the real `nx g` of the service generator in a scratch copy of this
 * workspace, the generated project's real Nx targets, the built bundle started as a process and called over HTTP,
 * one service calling another through the chassis' outbound helper, and a graceful shutdown under load.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { freePort, startService, type LogLine, type RunningService } from '@musiccorp/core/service-process';
import { forgetOuterNxTask } from './support';

// Names no real service will take, so the scratch copy's own services never collide with them.
const A = 'e2e-track-catalog'; // team catalog: the service under test
const B = 'e2e-order-fulfilment'; // team fulfilment: called by A
const C = 'e2e-royalty-ledger'; // team finance: only ever dry-run
const REQUEST_LINE = 'request completed';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;

forgetOuterNxTask();

let scratch: ScratchWorkspace | undefined;
/** Steps later tests build on: a test whose prerequisite failed is skipped, so the first failure is the one reported. */
const passed = new Set<'generate' | 'build' | 'routes'>();
function needs(context: TestContext, ...steps: Array<'generate' | 'build' | 'routes'>): void {
  const missing = steps.filter((step) => !passed.has(step));
  if (missing.length > 0) context.skip(`skipped: the ${missing.join(' and ')} step failed`);
}
const running = new Set<RunningService>();

function workspace(): ScratchWorkspace {
  if (!scratch) throw new Error('the scratch workspace was not created');
  return scratch;
}

const path = (...segments: string[]) => join(workspace().root, ...segments);

/** Runs `npx nx …` in the scratch workspace and returns stdout and stderr together; rejects on a non-zero exit. */
async function nx(...args: string[]): Promise<string> {
  const { stdout, stderr } = await nxRun(args);
  return stripVTControlCharacters(`${stdout}\n${stderr}`);
}

const nxRun = (args: string[]) =>
  workspace().run('npx', ['nx', ...args], { env: { FORCE_COLOR: '0', NX_TUI: 'false' } });

async function showProject(name: string): Promise<{ root: string; tags: string[]; targets: Record<string, unknown> }> {
  return JSON.parse((await nxRun(['show', 'project', name, '--json'])).stdout) as {
    root: string;
    tags: string[];
    targets: Record<string, unknown>;
  };
}

/** Runs `npx nx …` that must fail; returns its exit code and output. */
async function nxFailing(...args: string[]): Promise<{ exitCode: number | undefined; output: string }> {
  const result = await workspace().attempt('npx', ['nx', ...args], { env: { FORCE_COLOR: '0', NX_TUI: 'false' } });
  if (result.exitCode === 0) throw new Error(`expected "nx ${args.join(' ')}" to fail, but it exited 0`);
  return result;
}

/** Paths git sees as changed or new (untracked files listed one by one). */
async function gitChanges(): Promise<string[]> {
  const { stdout } = await workspace().run('git', ['status', '--porcelain', '--untracked-files=all']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3))
    .sort();
}

/**
 * What the generator must write for `name`: every template file (`.hbs` stripped), the project and provenance files,
 * and its contract, built from that code.
 */
async function expectedFiles(name: string, team: string): Promise<string[]> {
  const template = path('templates', 'service');
  const files: string[] = [];
  for (const entry of await readdir(template, { recursive: true, encoding: 'utf8' })) {
    if (!(await stat(join(template, entry))).isFile()) continue;
    const file = relative(template, join(template, entry)).split(sep).join(posix.sep);
    if (file === 'template.json') continue;
    files.push(
      file
        .replace(/\.hbs$/, '')
        .replace(/__name__/g, name)
        .replace(/__team__/g, team),
    );
  }
  const generated = ['project.json', 'template-provenance.json', 'contract/openapi.json', 'contract/events.json'];
  return [...files, ...generated].map((file) => `services/${name}/${file}`).sort();
}

/** Ports taken by the services already in the scratch copy (from their package.json, as the generator reads them). */
async function usedPorts(): Promise<Set<number>> {
  const ports = new Set<number>();
  if (!existsSync(path('services'))) return ports; // git keeps no empty folder
  for (const name of await readdir(path('services'))) {
    const file = path('services', name, 'package.json');
    if (!existsSync(file)) continue;
    const port = (JSON.parse(await readFile(file, 'utf8')) as { musiccorp?: { port?: unknown } }).musiccorp?.port;
    if (typeof port === 'number') ports.add(port);
  }
  return ports;
}

const lowestFreePort = (used: Set<number>) => {
  let port = 3100;
  while (used.has(port)) port++;
  return port;
};

const readJson = async <T = Record<string, unknown>>(...segments: string[]) =>
  JSON.parse(await readFile(path(...segments), 'utf8')) as T;

async function start(name: string, env: Record<string, string> = {}): Promise<RunningService> {
  const service = await startService({
    cwd: path('services', name),
    entry: 'dist/main.js',
    port: await freePort(),
    env: { LOG_LEVEL: 'info', ...env },
    readyTimeoutMs: 20_000,
  });
  running.add(service);
  return service;
}

async function stop(service: RunningService, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | undefined> {
  const code = await service.stop(signal);
  running.delete(service);
  return code;
}

interface Call {
  status: number;
  correlationId: string | null;
  body: Record<string, unknown>;
}

async function call(
  service: RunningService,
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: unknown } = {},
): Promise<Call> {
  const response = await fetch(`${service.url}${url}`, {
    method,
    headers: { ...options.headers, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    correlationId: response.headers.get('x-correlation-id'),
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** pino's `time` (epoch ms); NaN when absent, which fails any comparison. */
const time = (line: LogLine | undefined): number => (typeof line?.time === 'number' ? line.time : Number.NaN);
const isShutdownStart = (line: LogLine) => String(line.msg).startsWith('shutdown started');

const requestLines = (logs: LogLine[], correlationId: string) =>
  logs.filter((line) => line.msg === REQUEST_LINE && line.correlationId === correlationId);

/** The one request line for `correlationId`, checked for every field the platform's dashboards rely on. */
function requestLine(
  logs: LogLine[],
  correlationId: string | null,
  expected: { service: string; method: string; route: string; status: number },
): LogLine {
  if (correlationId === null) throw new Error('the response had no x-correlation-id header');
  const lines = requestLines(logs, correlationId);
  expect(lines, `request lines for ${correlationId}`).toHaveLength(1);
  const [line = {} as LogLine] = lines;
  expect(line).toMatchObject({ level: 'info', ...expected, version: '0.1.0', correlationId });
  expect(line.durationMs).toEqual(expect.any(Number));
  expect(line.durationMs as number).toBeGreaterThanOrEqual(0);
  expect(line.traceId).toMatch(TRACE_ID);
  return line;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

describe('service generator → build → running services', () => {
  beforeAll(async () => {
    scratch = await createScratchWorkspace('musiccorp-e2e-');
  });

  afterAll(async () => {
    for (const service of running) await service.stop('SIGKILL').catch(() => undefined);
    await scratch?.dispose();
  });

  it('generates two services through the real CLI, registers them, and writes nothing on --dry-run or bad input', async () => {
    const head = (await workspace().run('git', ['rev-parse', 'HEAD'])).stdout.trim();
    const used = await usedPorts();
    const portA = lowestFreePort(used);
    const portB = lowestFreePort(new Set([...used, portA]));

    const generatedA = await nx('g', '@musiccorp/generators:service', A, '--team=catalog', '--no-interactive');
    expect(generatedA).toContain(`CREATE services/${A}/src/main.ts`);
    // Every template file rendered once (`.hbs` dropped, no template.json), the project and provenance files, the
    // CODEOWNERS line — and nothing else in the workspace touched.
    const filesA = await expectedFiles(A, 'catalog');
    expect(await gitChanges()).toEqual(['CODEOWNERS', ...filesA].sort());

    await nx('g', '@musiccorp/generators:service', B, '--team=fulfilment', '--no-interactive');
    const filesB = await expectedFiles(B, 'fulfilment');
    expect(await gitChanges()).toEqual(['CODEOWNERS', ...filesA, ...filesB].sort());

    const pkgA = await readJson('services', A, 'package.json');
    expect(pkgA).toMatchObject({ name: `@musiccorp/${A}`, musiccorp: { service: A, team: 'catalog', port: portA } });
    const pkgB = await readJson('services', B, 'package.json');
    expect(pkgB).toMatchObject({ name: `@musiccorp/${B}`, musiccorp: { service: B, team: 'fulfilment', port: portB } });
    const readme = await readFile(path('services', A, 'README.md'), 'utf8');
    expect(readme).toContain(`# ${A}`);
    expect(readme).toContain('@musiccorp/catalog');
    expect(readme).not.toContain('{{');
    expect(await readJson('services', A, 'pipeline.json')).toMatchObject({
      service: A,
      team: 'catalog',
      owner: '@musiccorp/catalog',
    });
    const dockerfile = await readFile(path('services', A, 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain(`io.musiccorp.service="${A}"`);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${portA}$`, 'm'));
    expect(await readJson('services', A, 'template-provenance.json')).toEqual({
      template: 'service',
      platformVersion: '0.1.0',
      platformCommit: head,
      templatesModified: false,
      answers: {
        name: A,
        team: 'catalog',
        teamHandle: '@musiccorp/catalog',
        port: portA,
        description: `The ${A} service.`,
      },
    });
    // The contract is what the new service's code declares, and the workspace is in sync (CODEOWNERS too).
    expect(await readJson('services', A, 'contract', 'openapi.json')).toMatchObject({
      openapi: '3.0.3',
      info: { title: A, version: '1.0.0' },
      paths: { '/items': {}, '/items/{id}': {} },
    });
    expect(await readJson('services', A, 'contract', 'events.json')).toMatchObject({
      asyncapi: '3.0.0',
      info: { title: `${A} events`, version: '1.0.0' },
      channels: {},
    });
    expect(await nx('sync:check')).toMatch(/The workspace is up to date/);
    const codeowners = (await readFile(path('CODEOWNERS'), 'utf8')).split('\n');
    expect(codeowners).toContain(`/services/${A}/ @musiccorp/catalog`);
    expect(codeowners).toContain(`/services/${B}/ @musiccorp/fulfilment`);

    // Nx sees both projects with the tags the module-boundary rules rely on.
    const projectA = await showProject(A);
    expect(projectA.root).toBe(`services/${A}`);
    expect(projectA.tags).toEqual(expect.arrayContaining(['type:service', 'team:catalog']));
    expect(Object.keys(projectA.targets)).toEqual(expect.arrayContaining(['build', 'test', 'typecheck', 'lint']));
    const projectB = await readJson<{ tags: string[] }>('services', B, 'project.json');
    expect(projectB.tags).toEqual(expect.arrayContaining(['type:service', 'team:fulfilment']));

    await workspace().commit('generate services');
    expect(await gitChanges()).toEqual([]);

    // --dry-run lists what it would write, and writes nothing.
    const filesC = await expectedFiles(C, 'finance');
    const created = (output: string) =>
      output
        .split('\n')
        .flatMap((line) => /^CREATE (\S+)/.exec(line.trim())?.[1] ?? [])
        .sort();
    const dryRun = await nx('g', '@musiccorp/generators:service', C, '--team=finance', '--dry-run', '--no-interactive');
    expect(created(dryRun)).toEqual(filesC);
    expect(dryRun).toMatch(/^UPDATE CODEOWNERS/m);
    expect(existsSync(path('services', C))).toBe(false);
    expect(await gitChanges()).toEqual([]);

    // The unqualified form resolves to our generator and renders the same files.
    const unqualified = await nx('g', 'service', C, '--team=finance', '--dry-run', '--no-interactive');
    expect(unqualified).toContain('@musiccorp/generators:service');
    expect(created(unqualified)).toEqual(filesC);
    expect(existsSync(path('services', C))).toBe(false);
    expect(await gitChanges()).toEqual([]);

    // Bad input through the real CLI: non-zero exit, the validation message, nothing written.
    const badName = await nxFailing(
      'g',
      '@musiccorp/generators:service',
      'Bad_Name',
      '--team=catalog',
      '--no-interactive',
    );
    expect(badName.exitCode).not.toBe(0);
    expect(badName.output).toContain(
      'Service name "Bad_Name" has uppercase letters; use lowercase only. Try "bad-name".',
    );
    expect(await gitChanges()).toEqual([]);
    expect(existsSync(path('services', 'Bad_Name'))).toBe(false);
    expect(existsSync(path('services', C))).toBe(false);
    passed.add('generate');
  });

  it('tests, lints, typechecks and builds the generated services with their Nx targets', async (context) => {
    needs(context, 'generate');
    const tested = await nx('test', A, '--output-style=stream');
    expect(tested).toMatch(/Tests\s+\d+ passed/); // the unit tests really ran
    await nx('lint', A);
    await nx('typecheck', A);
    await nx('run-many', '-t', 'build', '-p', `${A},${B}`, '--parallel=1');
    for (const name of [A, B]) {
      expect((await stat(path('services', name, 'dist', 'main.js'))).size).toBeGreaterThan(0);
      expect(existsSync(path('services', name, 'dist', 'main.js.map'))).toBe(true);
    }
    passed.add('build');
  });

  it('runs the built bundle: health, correlation ids echoed, generated or replaced, and one request line each', async (context) => {
    needs(context, 'build');
    const service = await start(A);
    const ready = await call(service, 'GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready' });
    expect((await call(service, 'GET', '/health/live')).status).toBe(200);
    const metrics = await fetch(`${service.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('http_request_duration_seconds');

    // A well-formed id is kept and echoed, for every request that carries it.
    const given = `e2e-given-${randomUUID()}`;
    const created = await call(service, 'POST', '/items', {
      headers: { 'x-correlation-id': given },
      body: { name: 'Kind of Blue' },
    });
    expect(created.status).toBe(201);
    expect(created.correlationId).toBe(given);
    const itemId = String(created.body.id);
    const givenGet = `e2e-get-${randomUUID()}`;
    const fetched = await call(service, 'GET', `/items/${itemId}`, { headers: { 'x-correlation-id': givenGet } });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ id: itemId, name: 'Kind of Blue' });
    expect(fetched.correlationId).toBe(givenGet);

    // None given: one is generated and echoed, a new one per request.
    const missing1 = await call(service, 'POST', '/items', { body: { name: 'Blue Train' } });
    const missing2 = await call(service, 'GET', `/items/${randomUUID()}`);
    expect(missing1.status).toBe(201);
    expect(missing2.status).toBe(404);
    expect(missing1.correlationId).toMatch(UUID);
    expect(missing2.correlationId).toMatch(UUID);
    expect(missing2.correlationId).not.toBe(missing1.correlationId);
    expect(missing2.body.correlationId).toBe(missing2.correlationId);

    // Malformed ids are replaced by generated ones and never reach the logs raw.
    const marker = randomBytes(6).toString('hex');
    const withSpaces = `bad id ${marker} with spaces`;
    const tooLong = `long${marker}${'x'.repeat(300 - 4 - marker.length)}`;
    const spaced = await call(service, 'POST', '/items', {
      headers: { 'x-correlation-id': withSpaces },
      body: { name: 'Giant Steps' },
    });
    const long = await call(service, 'POST', '/items', {
      headers: { 'x-correlation-id': tooLong },
      body: { name: 'A Love Supreme' },
    });
    for (const [response, raw] of [
      [spaced, withSpaces],
      [long, tooLong],
    ] as const) {
      expect(response.status).toBe(201);
      expect(response.correlationId).toMatch(UUID);
      expect(response.correlationId).not.toBe(raw);
    }

    expect(await stop(service)).toBe(0);
    const { logs } = service;

    expect(
      logs.filter((line) => line.level === 0),
      'non-JSON stdout lines',
    ).toEqual([]);
    requestLine(logs, given, { service: A, method: 'POST', route: '/items', status: 201 });
    const getLine = requestLine(logs, givenGet, { service: A, method: 'GET', route: '/items/:id', status: 200 });
    expect(getLine.path).toBe(`/items/${itemId}`);
    requestLine(logs, missing1.correlationId, { service: A, method: 'POST', route: '/items', status: 201 });
    requestLine(logs, missing2.correlationId, { service: A, method: 'GET', route: '/items/:id', status: 404 });
    requestLine(logs, spaced.correlationId, { service: A, method: 'POST', route: '/items', status: 201 });
    requestLine(logs, long.correlationId, { service: A, method: 'POST', route: '/items', status: 201 });
    // The route's own log line runs in the request's context and carries its id too.
    expect(logs.filter((line) => line.msg === 'item created' && line.correlationId === given)).toHaveLength(1);
    // The replacement is logged with its reason, never with the raw value.
    expect(logs.find((line) => line.correlationId === spaced.correlationId && line.level === 'warn')).toMatchObject({
      rejectedCorrelationId: { reason: 'invalid_characters', length: withSpaces.length },
    });
    expect(logs.find((line) => line.correlationId === long.correlationId && line.level === 'warn')).toMatchObject({
      rejectedCorrelationId: { reason: 'too_long', length: 300 },
    });
    const everything = JSON.stringify(logs);
    expect(everything).not.toContain(marker);

    // Every line written while serving requests carries a correlation id, and every line names the service.
    // (By pino's timestamps, so the check does not depend on how the asynchronous log buffer batches lines.)
    const firstAt = time(logs.find((line) => line.correlationId === given));
    const stoppingAt = time(logs.find(isShutdownStart));
    expect(stoppingAt).toBeGreaterThan(firstAt);
    const whileServing = logs.filter((line) => time(line) >= firstAt && time(line) < stoppingAt);
    expect(whileServing.length).toBeGreaterThanOrEqual(8);
    expect(whileServing.filter((line) => typeof line.correlationId !== 'string')).toEqual([]);
    expect(logs.filter((line) => line.service !== A || line.version !== '0.1.0')).toEqual([]);
  });

  it('carries the correlation id and W3C trace context from service A to service B through the outbound helper', async (context) => {
    needs(context, 'build');
    // As a team would: a new route module in A, registered in src/routes/index.ts, calling B with its URL from the env.
    await writeFile(
      path('services', A, 'src', 'routes', 'fulfilment.ts'),
      `import type { FastifyPluginAsync } from 'fastify';
import { fetchWithContext, HttpError, readEnv, text } from '../chassis';

/** Asks ${B} to record an item on our behalf. */
export const fulfilment: FastifyPluginAsync = async (app) => {
  const { ORDER_FULFILMENT_URL } = readEnv({ ORDER_FULFILMENT_URL: text() }, process.env);

  app.post<{ Body: { name: string } }>(
    '/fulfilment/items',
    { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } } } },
    async (request, reply) => {
      const response = await fetchWithContext(new URL('/items', ORDER_FULFILMENT_URL), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: request.body.name }),
      });
      if (response.status !== 201) throw new HttpError(502, \`${B} answered \${response.status}\`);
      const item: unknown = await response.json();
      return reply.code(201).send({ item, downstreamCorrelationId: response.headers.get('x-correlation-id') });
    },
  );
};
`,
    );
    // And a deliberately slow route, for the graceful-shutdown test below.
    await writeFile(
      path('services', A, 'src', 'routes', 'slow.ts'),
      `import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyPluginAsync } from 'fastify';

export const slow: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: { ms: number } }>(
    '/slow',
    { schema: { querystring: { type: 'object', properties: { ms: { type: 'integer', minimum: 0, maximum: 10000, default: 500 } } } } },
    async (request) => {
      request.log.info({ ms: request.query.ms }, 'slow request started');
      await sleep(request.query.ms);
      return { sleptMs: request.query.ms };
    },
  );
};
`,
    );
    const indexFile = path('services', A, 'src', 'routes', 'index.ts');
    const index = await readFile(indexFile, 'utf8');
    const importLine = "import { items } from './items';";
    const registerLine = 'await app.register(items);';
    expect(index, 'src/routes/index.ts registers the sample routes as the test expects').toContain(importLine);
    expect(index).toContain(registerLine);
    await writeFile(
      indexFile,
      index
        .replace(
          importLine,
          `${importLine}\nimport { fulfilment } from './fulfilment';\nimport { slow } from './slow';`,
        )
        .replace(registerLine, `${registerLine}\n  await app.register(fulfilment);\n  await app.register(slow);`),
    );
    await nx('run-many', '-t', 'typecheck,build', '-p', A, '--parallel=1');
    expect(await readFile(path('services', A, 'dist', 'main.js'), 'utf8')).toContain('/fulfilment/items');
    passed.add('routes');

    const b = await start(B);
    const a = await start(A, { ORDER_FULFILMENT_URL: b.url });

    // With a known correlation id and an inbound traceparent: both travel on to B.
    const correlationId = `e2e-chain-${randomUUID()}`;
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const chained = await call(a, 'POST', '/fulfilment/items', {
      headers: { 'x-correlation-id': correlationId, traceparent },
      body: { name: 'Mingus Ah Um' },
    });
    expect(chained.status).toBe(201);
    expect(chained.correlationId).toBe(correlationId);
    expect(chained.body.downstreamCorrelationId).toBe(correlationId);
    expect(chained.body.item).toMatchObject({ name: 'Mingus Ah Um', id: expect.stringMatching(UUID) });

    // Without either: A starts a correlation id and a trace, and B continues both.
    const fresh = await call(a, 'POST', '/fulfilment/items', { body: { name: 'Time Out' } });
    expect(fresh.status).toBe(201);
    expect(fresh.correlationId).toMatch(UUID);
    expect(fresh.body.downstreamCorrelationId).toBe(fresh.correlationId);

    expect(await stop(a)).toBe(0);
    expect(await stop(b)).toBe(0);

    const aLine = requestLine(a.logs, correlationId, {
      service: A,
      method: 'POST',
      route: '/fulfilment/items',
      status: 201,
    });
    const bLine = requestLine(b.logs, correlationId, { service: B, method: 'POST', route: '/items', status: 201 });
    expect(aLine.traceId).toBe(traceId);
    // B keeps an inbound trace id only from a valid W3C traceparent; otherwise it would start a new trace.
    expect(bLine.traceId).toBe(traceId);
    expect(b.logs.filter((line) => line.msg === 'item created' && line.correlationId === correlationId)).toHaveLength(
      1,
    );

    const aFresh = requestLine(a.logs, fresh.correlationId, {
      service: A,
      method: 'POST',
      route: '/fulfilment/items',
      status: 201,
    });
    const bFresh = requestLine(b.logs, fresh.correlationId, {
      service: B,
      method: 'POST',
      route: '/items',
      status: 201,
    });
    expect(bFresh.traceId).toBe(aFresh.traceId);
    expect(aFresh.traceId).not.toBe(traceId);
  });

  it('shuts down gracefully on SIGTERM: in-flight requests finish, readiness turns 503, exit 0, no log line lost', async (context) => {
    needs(context, 'routes');
    const drainDelayMs = 1_000;
    const slowMs = 2_000;
    const service = await start(A, {
      ORDER_FULFILMENT_URL: 'http://127.0.0.1:9',
      SHUTDOWN_DRAIN_DELAY_MS: String(drainDelayMs),
    });

    const ids = Array.from({ length: 20 }, (_, i) => `e2e-slow-${i}-${randomUUID()}`);
    const responses = ids.map((id) =>
      fetch(`${service.url}/slow?ms=${slowMs}`, { headers: { 'x-correlation-id': id } })
        .then(async (response) => ({
          at: Date.now(),
          status: response.status,
          correlationId: response.headers.get('x-correlation-id'),
          body: (await response.json()) as Record<string, unknown>,
        }))
        // A dropped connection is a result to assert on (status 0), not an unhandled rejection.
        .catch((error: unknown) => ({
          at: Date.now(),
          status: 0,
          correlationId: null,
          body: { error: String(error) },
        })),
    );
    // Every request has reached its handler before the signal.
    const slowStarted = () =>
      new Set(service.logs.filter((line) => line.msg === 'slow request started').map((line) => line.correlationId));
    await waitFor('all 20 slow requests to start', () => ids.every((id) => slowStarted().has(id)));

    const signalledAt = Date.now();
    const exitCode = service.stop('SIGTERM');
    await waitFor('the shutdown log line', () => service.logs.some(isShutdownStart));
    // During the drain delay the server still answers, and readiness says 503 so load balancers stop sending traffic.
    const readiness = await call(service, 'GET', '/health/ready');
    expect(readiness.status).toBe(503);
    expect(readiness.body).toMatchObject({ status: 'stopping' });

    const results = await Promise.all(responses);
    expect(await exitCode).toBe(0);
    running.delete(service);

    for (const [i, result] of results.entries()) {
      expect(result).toEqual({ at: expect.any(Number), status: 200, correlationId: ids[i], body: { sleptMs: slowMs } });
      expect(result.at).toBeGreaterThan(signalledAt); // it really was in flight when the signal came
    }

    // Nothing lost, nothing out of order on stdout: the shutdown lines frame the in-flight requests' lines, and the
    // process's last line says it is done (the chassis flushes its asynchronous log buffer before exiting).
    const { logs } = service;
    const started = logs.findIndex(isShutdownStart);
    expect(logs.filter(isShutdownStart)).toHaveLength(1);
    expect(logs[started]).toMatchObject({ level: 'info', service: A, signal: 'SIGTERM', drainDelayMs });
    expect(logs.filter((line) => line.msg === 'shutdown complete')).toHaveLength(1);
    expect(logs.at(-1)).toMatchObject({ level: 'info', service: A, msg: 'shutdown complete' });
    for (const id of ids) {
      const line = requestLine(logs, id, { service: A, method: 'GET', route: '/slow', status: 200 });
      expect(line.durationMs as number).toBeGreaterThanOrEqual(slowMs - 50);
      // Written after shutdown began (by timestamp and by position) and before the last line.
      expect(time(line)).toBeGreaterThanOrEqual(time(logs[started]));
      expect(logs.indexOf(line)).toBeGreaterThan(started);
      expect(logs.indexOf(line)).toBeLessThan(logs.length - 1);
    }
    expect(logs.filter((line) => ['error', 'fatal'].includes(String(line.level)))).toEqual([]);
  });
});
