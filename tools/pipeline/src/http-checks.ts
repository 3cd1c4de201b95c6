/**
 * The slow-test stage's checks of a running artifact, from the outside, over HTTP: the chassis contract every
 * service promises (health, readiness, correlation IDs, trace context, error shapes, metrics) plus the service's own
 * sample request (its pipeline file's perf target). When the sample is a POST to a collection whose items the
 * contract lets a GET read (`POST /items`, `GET /items/{id}`), what it created is read back, and an id nobody created
 * is asked for (404). Every answer of a business route is checked against the service's contract (contract-checks.ts).
 * Log-based checks run after the graceful stop, once every line is flushed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { LogLine } from '@musiccorp/core/service-process';
import { ContractFileError, pathnameOf, ServiceContract, type ResponseVerdict } from './contract-checks';
import type { SampleRequest } from './pipeline-file';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was wrong (empty when ok). */
  detail: string;
}

/** What the HTTP checks sent, for the log checks to find again. */
export interface Probe {
  correlationId: string;
  traceId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CORRELATION = 'x-correlation-id';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

async function send(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Runs one check; a thrown error (or a failed expectation) makes it fail with that message. */
async function check(name: string, body: () => Promise<void>): Promise<CheckResult> {
  try {
    await body();
    return { name, ok: true, detail: '' };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

const describe = (answer: Answer) => `${answer.status} ${answer.text.slice(0, 200)}`;

/** The chassis' error body: `{ statusCode, error, message, correlationId }`, the id matching the response header. */
function expectErrorShape(answer: Answer, status: number): void {
  const body = answer.json;
  expect(answer.status === status, `expected ${status}, got ${describe(answer)}`);
  expect(
    body !== undefined &&
      body['statusCode'] === status &&
      typeof body['error'] === 'string' &&
      typeof body['message'] === 'string' &&
      body['correlationId'] === answer.headers.get(CORRELATION),
    `expected {statusCode: ${status}, error, message, correlationId} with the response's correlation id, got ${describe(answer)}`,
  );
}

export interface HttpCheckOptions {
  service: string;
  sample: SampleRequest;
  /** The service's contract, or why it could not be read (then that is a failed check). */
  contract: ServiceContract | ContractFileError;
}

export interface HttpChecks {
  results: CheckResult[];
  probe: Probe;
  /** Each business-route response checked against the contract, in the order sent. */
  verdicts: ResponseVerdict[];
}

export async function checkOverHttp(baseUrl: string, options: HttpCheckOptions): Promise<HttpChecks> {
  const probe: Probe = { correlationId: `slow-test-${randomUUID()}`, traceId: randomBytes(16).toString('hex') };
  const missing = `${baseUrl}/slow-test/no-such-route`;
  const { sample, contract } = options;
  const verdicts: ResponseVerdict[] = [];
  const contractResults: CheckResult[] =
    contract instanceof ContractFileError
      ? [{ name: "the service's responses are checked against its contract", ok: false, detail: contract.message }]
      : [];

  /** A request to one of the service's business routes; its answer is also checked against the contract. */
  const sendToRoute = async (label: string, method: string, path: string, body?: string): Promise<Answer> => {
    const answer = await send(`${baseUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
    if (contract instanceof ServiceContract) {
      const verdict = contract.check({
        method,
        path,
        status: answer.status,
        contentType: answer.headers.get('content-type'),
        body: answer.text,
      });
      verdicts.push(verdict);
      contractResults.push({
        name: `${label}: its ${answer.status} is one ${contract.file} declares`,
        ok: verdict.problems.length === 0,
        detail: verdict.problems.join('; '),
      });
    }
    return answer;
  };
  const samplePath = `${sample.method} ${sample.path}`;
  const sampleBody = sample.body === undefined ? undefined : JSON.stringify(sample.body);
  let created: Answer | undefined;

  const results = [
    await check('GET /health/live answers 200 {status: alive}', async () => {
      const answer = await send(`${baseUrl}/health/live`);
      expect(answer.status === 200 && answer.json?.['status'] === 'alive', describe(answer));
    }),
    await check('GET /health/ready answers 200 {status: ready}, every readiness check passing', async () => {
      const answer = await send(`${baseUrl}/health/ready`);
      const checks = answer.json?.['checks'];
      expect(answer.status === 200 && answer.json?.['status'] === 'ready', describe(answer));
      expect(
        Array.isArray(checks) && checks.every((c: { status?: unknown }) => c.status === 'pass'),
        `failing readiness checks: ${JSON.stringify(checks)}`,
      );
    }),
    await check(`${samplePath} (the sample request) answers 2xx`, async () => {
      const answer = await sendToRoute(`${samplePath} (the sample request)`, sample.method, sample.path, sampleBody);
      expect(answer.status >= 200 && answer.status < 300, describe(answer));
      created = answer;
    }),
    ...(await readBackChecks(contract, sample, created, sendToRoute)),
    await check('a given x-correlation-id is echoed; an inbound traceparent is accepted', async () => {
      const traceparent = `00-${probe.traceId}-${randomBytes(8).toString('hex')}-01`;
      const answer = await send(missing, { headers: { [CORRELATION]: probe.correlationId, traceparent } });
      expect(answer.headers.get(CORRELATION) === probe.correlationId, `echoed ${answer.headers.get(CORRELATION)}`);
    }),
    await check('without x-correlation-id one is generated (a UUID)', async () => {
      const answer = await send(missing);
      expect(UUID.test(answer.headers.get(CORRELATION) ?? ''), `got ${answer.headers.get(CORRELATION)}`);
    }),
    await check('a malformed x-correlation-id is rejected and replaced', async () => {
      const answer = await send(missing, { headers: { [CORRELATION]: 'not a valid id!' } });
      expect(UUID.test(answer.headers.get(CORRELATION) ?? ''), `got ${answer.headers.get(CORRELATION)}`);
    }),
    await check('an unknown route answers 404 in the error shape', async () => {
      expectErrorShape(await send(missing), 404);
    }),
    // A GET sample has no body to break: then no route is known to answer 400, and the check is left out.
    ...(sample.method === 'GET'
      ? []
      : [
          await check(`a malformed JSON body to ${samplePath} answers 400 in the error shape`, async () => {
            const label = `${samplePath} with a malformed JSON body`;
            expectErrorShape(await sendToRoute(label, sample.method, sample.path, '{"unterminated'), 400);
          }),
        ]),
    await check('GET /metrics serves Prometheus text with the request histogram, labelled by service', async () => {
      const answer = await send(`${baseUrl}/metrics`);
      expect(answer.status === 200, describe(answer));
      expect(answer.headers.get('content-type')?.startsWith('text/plain') === true, 'not text/plain');
      expect(answer.text.includes('http_request_duration_seconds_bucket'), 'no http_request_duration_seconds');
      expect(answer.text.includes(`service="${options.service}"`), `no service="${options.service}" label`);
    }),
  ];
  return { results: [...results, ...contractResults], probe, verdicts };
}

type SendToRoute = (label: string, method: string, path: string, body?: string) => Promise<Answer>;

/**
 * After a POST to a collection that created something, when the contract has a GET of one item there: read it back
 * by the id the POST answered, and (when ids are UUIDs, so a fresh one names nothing) ask for an id nobody created.
 */
async function readBackChecks(
  contract: ServiceContract | ContractFileError,
  sample: SampleRequest,
  created: Answer | undefined,
  sendToRoute: SendToRoute,
): Promise<CheckResult[]> {
  const item = sample.method === 'POST' && contract instanceof ServiceContract && contract.itemOperation(sample.path);
  const id = item && created?.json?.[item.parameter];
  if (!item || (typeof id !== 'string' && typeof id !== 'number')) return [];
  const collection = pathnameOf(sample.path).replace(/\/$/, '');
  const itemPath = (value: string | number) => `${collection}/${encodeURIComponent(String(value))}`;
  const results = [
    await check(`GET ${item.template} reads back what the sample request created`, async () => {
      const answer = await sendToRoute(`GET ${itemPath(id)} (what the sample request created)`, 'GET', itemPath(id));
      expect(answer.status >= 200 && answer.status < 300, describe(answer));
      expect(
        answer.json?.[item.parameter] === id,
        `expected "${item.parameter}": ${JSON.stringify(id)}, got ${describe(answer)}`,
      );
    }),
  ];
  if (typeof id === 'string' && UUID.test(id)) {
    const unknown = randomUUID();
    results.push(
      await check(`GET ${item.template} of an id nobody created answers 404 in the error shape`, async () => {
        expectErrorShape(
          await sendToRoute(`GET ${itemPath(unknown)} (an id nobody created)`, 'GET', itemPath(unknown)),
          404,
        );
      }),
    );
  }
  return results;
}

/** Checks on the log lines once the artifact has stopped: trace context continued, a graceful exit. */
export function checkLogs(logs: LogLine[], probe: Probe, exitCode: number | undefined): CheckResult[] {
  const probed = logs.filter((line) => line.correlationId === probe.correlationId);
  return [
    {
      name: 'the request log line carries the given correlation id and continues the given trace',
      ok: probed.length > 0 && probed.every((line) => line.traceId === probe.traceId),
      detail: probed.length
        ? `traceIds logged: ${[...new Set(probed.map((line) => String(line.traceId)))].join(', ')}`
        : `no log line with correlationId ${probe.correlationId}`,
    },
    {
      name: 'SIGTERM drains and exits 0, logging "shutdown complete"',
      ok: exitCode === 0 && logs.some((line) => line.msg === 'shutdown complete'),
      detail: `exit code ${exitCode}; last line ${JSON.stringify(logs.at(-1))}`,
    },
  ].map((result) => (result.ok ? { ...result, detail: '' } : result));
}
