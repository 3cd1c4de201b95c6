/**
 * The slow-test's HTTP checks against a real process: the service template rendered and bundled as the artifact stage
 * bundles it, run with node on 127.0.0.1, its contract written by @fastify/swagger from the same rendered routes.
 * Every business-route answer — the sample request, the read-back of what it created, an id nobody created, a
 * malformed body — is checked against that contract; a contract that breaks, lacks a status, or is missing fails.
 */
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { FastifyPluginAsync } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_VERSION } from '@musiccorp/core/provenance';
import { renderTemplate } from '@musiccorp/core/render';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { freePort, startService, type RunningService } from '@musiccorp/core/service-process';
import { ContractFileError, contractFile, readServiceContract, ServiceContract } from './contract-checks';
import { checkOverHttp, type CheckResult } from './http-checks';
import { ERROR_RESPONSE_SCHEMA, swaggerApp } from './testing/swagger-app';

const SERVICE = 'contract-probe';
const SAMPLE = { method: 'POST', path: '/items', body: { name: 'slow-test' } } as const;

let root: string; // a workspace: services/<SERVICE>/ rendered, bundled, and its contract
let service: RunningService | undefined;
let routes: FastifyPluginAsync;

/** The OpenAPI document @fastify/swagger writes for the rendered routes; `errorShape` declares the chassis' errors. */
async function generateContract(options: { errorShape: boolean }): Promise<Record<string, unknown>> {
  const app = await swaggerApp(SERVICE);
  if (options.errorShape) {
    app.addSchema(ERROR_RESPONSE_SCHEMA);
    app.addHook('onRoute', (route) => {
      const schema = (route.schema ??= {});
      schema.response = { ...(schema.response as object), default: { $ref: 'ErrorResponse#' } };
    });
  }
  await app.register(routes);
  await app.ready();
  const document = JSON.parse(JSON.stringify(app.swagger())) as Record<string, unknown>;
  await app.close();
  return document;
}

async function writeContract(document: unknown): Promise<ServiceContract> {
  const file = join(root, contractFile(SERVICE));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return readServiceContract(root, SERVICE);
}

const run = (contract: ServiceContract | ContractFileError) =>
  checkOverHttp(service!.url, { service: SERVICE, sample: SAMPLE, contract });
const byName = (results: CheckResult[], pattern: RegExp) => results.filter((result) => pattern.test(result.name));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'http-checks-spec-'));
  const serviceRoot = join(root, 'services', SERVICE);
  const answers = {
    name: SERVICE,
    team: 'catalog',
    teamHandle: '@musiccorp/catalog',
    port: 3199,
    description: 'The slow-test checks of the contract',
    platformVersion: PLATFORM_VERSION,
  };
  for (const file of renderTemplate('service', answers)) {
    await mkdir(dirname(join(serviceRoot, file.path)), { recursive: true });
    await writeFile(join(serviceRoot, file.path), file.content);
  }
  // The workspace's packages and base tsconfig, as a generated service finds them.
  await symlink(join(WORKSPACE_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  await symlink(join(WORKSPACE_ROOT, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
  const esbuild = join(WORKSPACE_ROOT, 'node_modules', '.bin', 'esbuild');
  await execa(
    esbuild,
    [
      'src/main.ts',
      '--bundle',
      '--platform=node',
      '--target=node20',
      '--format=cjs',
      '--outfile=dist/main.js',
      '--log-level=warning',
    ],
    {
      cwd: serviceRoot,
    },
  );
  ({ routes } = (await import(join(serviceRoot, 'src', 'routes', 'index.ts'))) as { routes: FastifyPluginAsync });
  service = await startService({
    cwd: serviceRoot,
    entry: 'dist/main.js',
    port: await freePort(),
    env: { SHUTDOWN_DRAIN_DELAY_MS: '0', LOG_LEVEL: 'warn' },
  });
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await rm(root, { recursive: true, force: true });
});

describe("the slow-test's HTTP checks, against the running template service and its contract", () => {
  it('every business-route answer is checked and matches a contract that declares the error shape', async () => {
    const contract = await writeContract(await generateContract({ errorShape: true }));
    const { results, verdicts } = await run(contract);
    expect(results.filter((result) => !result.ok)).toEqual([]);
    expect(verdicts.map(({ operation, status, problems }) => [operation, status, problems])).toEqual([
      ['POST /items', 201, []],
      ['GET /items/{id}', 200, []],
      ['GET /items/{id}', 404, []],
      ['POST /items', 400, []],
    ]);
    expect(byName(results, /reads back what the sample request created|of an id nobody created/)).toHaveLength(2);
    expect(byName(results, /is one services\/contract-probe\/contract\/openapi\.json declares$/)).toHaveLength(4);
  });

  it('a contract whose item schema the answers break fails, naming the operation, status, pointer and the rule', async () => {
    const document = await generateContract({ errorShape: true });
    const paths = document['paths'] as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const created = paths['/items']!['post']!.responses['201'] as {
      content: { 'application/json': { schema: { properties: Record<string, unknown> } } };
    };
    created.content['application/json'].schema.properties['createdAt'] = { type: 'integer' };
    const { results } = await run(await writeContract(document));
    const failed = results.filter((result) => !result.ok);
    expect(failed.map((result) => result.name)).toEqual([
      `POST /items (the sample request): its 201 is one ${contractFile(SERVICE)} declares`,
    ]);
    expect(failed[0]!.detail).toMatch(
      /^POST \/items → 201: \/createdAt: must be an integer \(got "\d{4}-[^"]+"\); the contract \(services\/contract-probe\/contract\/openapi\.json#\/paths\/~1items\/post\/responses\/201\/content\/application~1json\/schema\/properties\/createdAt\) says \{"type":"integer"\}$/,
    );
  });

  it('statuses the routes answer but the contract does not declare (the template routes declare no errors) fail', async () => {
    const { results, verdicts } = await run(await writeContract(await generateContract({ errorShape: false })));
    expect(verdicts.map(({ operation, status, problems }) => [operation, status, problems.length])).toEqual([
      ['POST /items', 201, 0],
      ['GET /items/{id}', 200, 0],
      ['GET /items/{id}', 404, 1],
      ['POST /items', 400, 1],
    ]);
    expect(results.filter((result) => !result.ok).map((result) => result.detail)).toEqual([
      `GET /items/{id} answered 404, a status the contract does not declare for it (it declares 200). Fix: declare 404 in the route's response schema, run npx nx sync and commit ${contractFile(SERVICE)}`,
      `POST /items answered 400, a status the contract does not declare for it (it declares 201). Fix: declare 400 in the route's response schema, run npx nx sync and commit ${contractFile(SERVICE)}`,
    ]);
  });

  it('without a contract: one failed check naming the fix; the chassis checks still run, nothing is read back', async () => {
    await rm(join(root, contractFile(SERVICE)));
    const contract = await readServiceContract(root, SERVICE).catch((error: unknown) => error as ContractFileError);
    expect(contract).toBeInstanceOf(ContractFileError);
    const { results, verdicts } = await run(contract as ContractFileError);
    expect(verdicts).toEqual([]);
    expect(results.filter((result) => !result.ok)).toEqual([
      {
        name: "the service's responses are checked against its contract",
        ok: false,
        detail: expect.stringMatching(
          /^services\/contract-probe\/contract\/openapi\.json does not exist, .* Fix: run npx nx sync/,
        ),
      },
    ]);
    expect(byName(results, /^GET \/health\/live/)).toEqual([expect.objectContaining({ ok: true })]);
    expect(byName(results, /reads back/)).toEqual([]);
  });
});
