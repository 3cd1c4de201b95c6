/**
 * npm run bench:contract [-- --runs=7 --warmup=1 --resources=50 --quiet-wait=10]
 *
 * The breaking-change engine of the contract gate (tools/contract/src/diff) against the npm `openapi-diff` package,
 * in the same run:
 *
 * 1. Speed: a generated OpenAPI 3.0.3 contract of 200 operations (50 resources × list, create, read, replace) and a
 *    head with 20 known changes (12 breaking, 8 not). Ours is diffHttpContracts on the two JSON texts (parse +
 *    classify; also classify alone); the anchor is openapi-diff's diffSpecs on the same texts. Interleaved, median of
 *    --runs. Before timing, ours must report exactly the 20 expected changes (rule and location), or the bench aborts.
 *    Target: ours ≤ 1 s.
 * 2. Verdicts: both engines on every HTTP case of the case table (tools/contract/src/diff/case-table.ts). A case's
 *    expected verdict is breaking when any expected change is, non-breaking when there are changes and none is, and
 *    "no change" otherwise. openapi-diff's verdict: breaking when it found a breaking difference, else unclassified
 *    when it found an unclassified one (a miss: no verdict), else non-breaking / no change; an input it refuses is a
 *    miss too. The misses of each engine are listed.
 *
 * Prints a markdown table and saves bench/results/contract.md + contract.json. Exits 0 unless the benchmark broke.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffSpecs } from 'openapi-diff';
import { parseFlags } from './lib/cli';
import { QUIET_CORES, quietWaitFlag, untilQuiet } from './lib/cpu';
import { WORKSPACE_ROOT } from './lib/paths';
import { environment, evaluate, loadAverage1m, saveResult, type Row } from './lib/report';
import { median, min, summarize } from './lib/stats';
import { log } from './lib/util';

// tools/ is ESM ("type": "module") and bench/ runs as CommonJS under tsx: load it with a dynamic import.
type OpenApiModule = typeof import('@musiccorp/contract/diff/openapi');
type CaseTableModule = typeof import('@musiccorp/contract/diff/case-table');
type JsonSchema = import('@musiccorp/contract/diff/case-table').JsonSchema;
type Json = Record<string, unknown>;

const TARGET_MS = 1000;
const OPENAPI_DIFF_PACKAGE = join(WORKSPACE_ROOT, 'node_modules', 'openapi-diff', 'package.json');

type EngineVerdict = 'breaking' | 'non-breaking' | 'no change' | 'unclassified' | 'refused';

const id = (i: number) => `r${String(i).padStart(3, '0')}`;

/** The object at `path` inside `doc`; the bench's own edits, so a wrong path is a bug here. */
function node(doc: Json, ...path: string[]): Json {
  let current: unknown = doc;
  for (const key of path) {
    current = (current as Json | undefined)?.[key];
    if (typeof current !== 'object' || current === null || Array.isArray(current))
      throw new Error(`No object at ${path.join(' / ')} (stopped at ${key}).`);
  }
  return current as Json;
}

const resource = (): JsonSchema => ({
  type: 'object',
  required: ['id', 'name', 'status', 'count'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string', maxLength: 100 },
    status: { type: 'string', enum: ['active', 'retired'] },
    count: { type: 'integer', minimum: 0 },
    price: { type: 'number', minimum: 0 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 20 },
    createdAt: { type: 'string', format: 'date-time' },
  },
});

const writeBody = (): JsonSchema => ({
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    price: { type: 'number', minimum: 0 },
    status: { type: 'string', enum: ['active', 'retired'] },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 20 },
  },
});

const problem = (): JsonSchema => ({
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' } },
});

/** `resources` × 4 operations, every schema inline (so one edit is one change). */
function buildContract(cases: CaseTableModule, resources: number): Json {
  const { httpContract, operation, response } = cases;
  const pathParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const paths: Record<string, Record<string, Json>> = {};
  for (let i = 0; i < resources; i++) {
    paths[`/${id(i)}`] = {
      get: operation({
        parameters: [
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: { '200': response({ type: 'array', items: resource() }) },
      }),
      post: operation({ body: writeBody(), responses: { '201': response(resource()), '400': response(problem()) } }),
    };
    paths[`/${id(i)}/{id}`] = {
      get: operation({
        parameters: [pathParameter],
        responses: { '200': response(resource()), '404': response(problem()) },
      }),
      put: operation({
        parameters: [pathParameter],
        body: writeBody(),
        responses: { '200': response(resource()), '404': response(problem()) },
      }),
    };
  }
  return httpContract(paths);
}

interface Edit {
  rule: string;
  location: string;
  breaking: boolean;
  apply(head: Json): void;
}

const JSON_TYPE = 'application/json';
const responseSchema = (head: Json, path: string, method: string, status: string) =>
  node(head, 'paths', path, method, 'responses', status, 'content', JSON_TYPE, 'schema');
const requestSchema = (head: Json, path: string, method: string) =>
  node(head, 'paths', path, method, 'requestBody', 'content', JSON_TYPE, 'schema');
const parameters = (head: Json, path: string, method: string) =>
  node(head, 'paths', path, method)['parameters'] as Json[];

/** The 20 changes of the head: what each does, and the one change ours must report for it. */
function edits(cases: CaseTableModule): Edit[] {
  const r = (i: number) => `/${id(i)}`;
  const one = (i: number) => `/${id(i)}/{id}`;
  return [
    { rule: 'path-removed', location: one(1), breaking: true, apply: (h) => delete node(h, 'paths')[one(1)] },
    {
      rule: 'operation-removed',
      location: `POST ${r(2)}`,
      breaking: true,
      apply: (h) => delete node(h, 'paths', r(2))['post'],
    },
    {
      rule: 'response-property-removed',
      location: `GET ${one(3)} → 200 ${JSON_TYPE} .name`,
      breaking: true,
      apply: (h) => {
        const schema = responseSchema(h, one(3), 'get', '200');
        delete node(schema, 'properties')['name'];
        schema['required'] = ['id', 'status', 'count'];
      },
    },
    {
      rule: 'request-property-required-added',
      location: `POST ${r(4)} → request ${JSON_TYPE} .sku`,
      breaking: true,
      apply: (h) => {
        const body = requestSchema(h, r(4), 'post');
        node(body, 'properties')['sku'] = { type: 'string' };
        body['required'] = ['name', 'sku'];
      },
    },
    {
      rule: 'parameter-required-added',
      location: `GET ${r(5)} → header x-tenant`,
      breaking: true,
      apply: (h) =>
        parameters(h, r(5), 'get').push({ name: 'x-tenant', in: 'header', required: true, schema: { type: 'string' } }),
    },
    {
      rule: 'request-type-narrowed',
      location: `POST ${r(6)} → request ${JSON_TYPE} .price`,
      breaking: true,
      apply: (h) => (node(requestSchema(h, r(6), 'post'), 'properties', 'price')['type'] = 'integer'),
    },
    {
      rule: 'success-status-changed',
      location: `POST ${r(7)} → 200`,
      breaking: true,
      apply: (h) => {
        const responses = node(h, 'paths', r(7), 'post', 'responses');
        responses['200'] = responses['201'];
        delete responses['201'];
      },
    },
    {
      rule: 'response-property-made-optional',
      location: `GET ${one(8)} → 200 ${JSON_TYPE} .id`,
      breaking: true,
      apply: (h) => (responseSchema(h, one(8), 'get', '200')['required'] = ['name', 'status', 'count']),
    },
    {
      rule: 'response-enum-value-added',
      location: `GET ${one(9)} → 200 ${JSON_TYPE} .status`,
      breaking: true,
      apply: (h) =>
        (node(responseSchema(h, one(9), 'get', '200'), 'properties', 'status')['enum'] = [
          'active',
          'retired',
          'draft',
        ]),
    },
    {
      rule: 'request-limit-narrowed',
      location: `PUT ${one(10)} → request ${JSON_TYPE} .name`,
      breaking: true,
      apply: (h) => (node(requestSchema(h, one(10), 'put'), 'properties', 'name')['maxLength'] = 50),
    },
    {
      rule: 'response-type-widened',
      location: `GET ${one(11)} → 200 ${JSON_TYPE} .count`,
      breaking: true,
      apply: (h) => (node(responseSchema(h, one(11), 'get', '200'), 'properties', 'count')['type'] = 'number'),
    },
    {
      rule: 'parameter-removed',
      location: `GET ${r(12)} → query cursor`,
      breaking: true,
      apply: (h) => parameters(h, r(12), 'get').splice(1, 1),
    },
    {
      rule: 'path-added',
      location: '/reports',
      breaking: false,
      apply: (h) =>
        (node(h, 'paths')['/reports'] = { get: cases.operation({ responses: { '200': cases.response(resource()) } }) }),
    },
    {
      rule: 'operation-added',
      location: `DELETE ${one(13)}`,
      breaking: false,
      apply: (h) =>
        (node(h, 'paths', one(13))['delete'] = cases.operation({
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: { '204': cases.response() },
        })),
    },
    {
      rule: 'operation-deprecated',
      location: `GET ${r(14)}`,
      breaking: false,
      apply: (h) => (node(h, 'paths', r(14), 'get')['deprecated'] = true),
    },
    {
      rule: 'request-property-added',
      location: `POST ${r(15)} → request ${JSON_TYPE} .comment`,
      breaking: false,
      apply: (h) => (node(requestSchema(h, r(15), 'post'), 'properties')['comment'] = { type: 'string' }),
    },
    {
      rule: 'response-property-added',
      location: `GET ${one(16)} → 200 ${JSON_TYPE} .rating`,
      breaking: false,
      apply: (h) => (node(responseSchema(h, one(16), 'get', '200'), 'properties')['rating'] = { type: 'number' }),
    },
    {
      rule: 'parameter-added',
      location: `GET ${r(17)} → query sort`,
      breaking: false,
      apply: (h) =>
        parameters(h, r(17), 'get').push({ name: 'sort', in: 'query', required: false, schema: { type: 'string' } }),
    },
    {
      rule: 'error-status-added',
      location: `PUT ${one(18)} → 409`,
      breaking: false,
      apply: (h) => (node(h, 'paths', one(18), 'put', 'responses')['409'] = cases.response(problem())),
    },
    {
      rule: 'request-enum-value-added',
      location: `POST ${r(19)} → request ${JSON_TYPE} .status`,
      breaking: false,
      apply: (h) =>
        (node(requestSchema(h, r(19), 'post'), 'properties', 'status')['enum'] = ['active', 'retired', 'draft']),
    },
  ];
}

interface OpenApiDiffOutcome {
  breakingDifferences?: {
    code: string;
    sourceSpecEntityDetails: { location: string }[];
    destinationSpecEntityDetails: { location: string }[];
  }[];
  nonBreakingDifferences: unknown[];
  unclassifiedDifferences: unknown[];
}

const runOpenApiDiff = (base: string, head: string) =>
  diffSpecs({
    sourceSpec: { content: base, location: 'base.json', format: 'openapi3' },
    destinationSpec: { content: head, location: 'head.json', format: 'openapi3' },
  }) as Promise<OpenApiDiffOutcome>;

function verdictOf(changes: { verdict: string }[]): EngineVerdict {
  if (changes.some((change) => change.verdict === 'breaking')) return 'breaking';
  return changes.length > 0 ? 'non-breaking' : 'no change';
}

function anchorVerdict(outcome: OpenApiDiffOutcome): EngineVerdict {
  if ((outcome.breakingDifferences ?? []).length > 0) return 'breaking';
  if (outcome.unclassifiedDifferences.length > 0) return 'unclassified';
  return outcome.nonBreakingDifferences.length > 0 ? 'non-breaking' : 'no change';
}

/** `METHOD /path` or `/path` of an openapi-diff location such as `paths./r003/{id}.get.responses.200…`. */
function anchorOperation(location: string): string {
  const match = /^paths\.(\/[^.]*)(?:\.(get|put|post|delete|options|head|patch|trace))?/.exec(location);
  if (!match) return location;
  return match[2] ? `${match[2].toUpperCase()} ${match[1]}` : (match[1] ?? location);
}

/** `METHOD /path` (or `/path`) an expected change sits in. */
const operationOf = (location: string) => location.split(' → ')[0] ?? location;

async function main(): Promise<void> {
  const flags = parseFlags('npm run bench:contract --', {
    runs: { kind: 'number', default: 7, min: 1, integer: true, help: 'timed runs of each variant, interleaved' },
    warmup: { kind: 'number', default: 1, min: 0, integer: true, help: 'untimed runs of each variant first' },
    resources: {
      kind: 'number',
      default: 50,
      min: 20,
      integer: true,
      help: 'resources in the generated contract (4 operations each)',
    },
    'quiet-wait': quietWaitFlag(10),
  });
  if (flags.runs < 5)
    log(`--runs=${flags.runs} is below the 5 runs a reportable figure needs; treat this as a smoke run.`);

  const [openapi, cases] = (await Promise.all([
    import('@musiccorp/contract/diff/openapi'),
    import('@musiccorp/contract/diff/case-table'),
  ])) as [OpenApiModule, CaseTableModule];
  const env = await environment(); // at the start: its load average is the one before the runs
  const anchorVersion = (JSON.parse(readFileSync(OPENAPI_DIFF_PACKAGE, 'utf8')) as { version: string }).version;

  // --- The 200-operation pair, checked before anything is timed. ---
  const base = buildContract(cases, flags.resources);
  const head = structuredClone(base);
  const changes = edits(cases);
  for (const edit of changes) edit.apply(head);
  const [baseText, headText] = [JSON.stringify(base), JSON.stringify(head)];
  const operations = Object.values(node(base, 'paths')).reduce<number>(
    (n, item) => n + Object.keys(item as Json).length,
    0,
  );

  const ours = openapi.diffHttpContracts(JSON.parse(baseText), JSON.parse(headText));
  const key = (change: { rule: string; location: string }) => `${change.rule} @ ${change.location}`;
  const got = ours.map(key).sort();
  const want = changes.map(key).sort();
  if (JSON.stringify(got) !== JSON.stringify(want))
    throw new Error(
      `Ours does not report the ${want.length} changes made:\n  missing: ${want.filter((k) => !got.includes(k)).join('\n           ') || '-'}\n  unexpected: ${got.filter((k) => !want.includes(k)).join('\n              ') || '-'}`,
    );
  const breakingExpected = changes.filter((edit) => edit.breaking);
  if (ours.filter((change) => change.verdict === 'breaking').length !== breakingExpected.length)
    throw new Error('Ours reports the expected rules but not the expected number of breaking changes.');

  const anchorOutcome = await runOpenApiDiff(baseText, headText);
  const anchorBreakingOperations = new Set(
    (anchorOutcome.breakingDifferences ?? []).flatMap((difference) =>
      [...difference.sourceSpecEntityDetails, ...difference.destinationSpecEntityDetails].map((detail) =>
        anchorOperation(detail.location),
      ),
    ),
  );
  const anchorCaught = breakingExpected.filter((edit) => anchorBreakingOperations.has(operationOf(edit.location)));
  log(
    `correctness: ours reports exactly the ${changes.length} changes (${breakingExpected.length} breaking) of the ${operations}-operation pair; openapi-diff reports ${(anchorOutcome.breakingDifferences ?? []).length} breaking, ${anchorOutcome.nonBreakingDifferences.length} non-breaking, ${anchorOutcome.unclassifiedDifferences.length} unclassified differences, at the operations of ${anchorCaught.length} of the ${breakingExpected.length} breaking changes.`,
  );

  // --- Timing, interleaved. ---
  const time = async (fn: () => unknown): Promise<number> => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  const parsedBase = JSON.parse(baseText) as unknown;
  const parsedHead = JSON.parse(headText) as unknown;
  const variants = {
    ours: () => time(() => openapi.diffHttpContracts(JSON.parse(baseText), JSON.parse(headText))),
    oursClassify: () => time(() => openapi.diffHttpContracts(parsedBase, parsedHead)),
    anchor: () => time(() => runOpenApiDiff(baseText, headText)),
  };
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, [] as number[]])) as Record<
    keyof typeof variants,
    number[]
  >;
  const busy: number[] = [];
  for (let run = -flags.warmup; run < flags.runs; run++) {
    const others = await untilQuiet(flags['quiet-wait']);
    if (run >= 0) busy.push(others);
    for (const [name, measure] of Object.entries(variants) as [keyof typeof variants, () => Promise<number>][]) {
      const ms = await measure();
      if (run >= 0) samples[name].push(ms);
    }
  }

  // --- The case table's HTTP cases, both engines. ---
  const httpCases = cases.CONTRACT_CASES.filter((c) => c.kind === 'http');
  const table: { name: string; expected: EngineVerdict; ours: EngineVerdict; anchor: EngineVerdict; note: string }[] =
    [];
  for (const testCase of httpCases) {
    const expected = verdictOf(testCase.expected);
    const oursVerdict = verdictOf(openapi.diffHttpContracts(testCase.base, testCase.head));
    let theirs: EngineVerdict;
    let note = '';
    try {
      theirs = anchorVerdict(await runOpenApiDiff(JSON.stringify(testCase.base), JSON.stringify(testCase.head)));
    } catch (error) {
      theirs = 'refused';
      note = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    }
    table.push({ name: testCase.name, expected, ours: oursVerdict, anchor: theirs, note });
  }
  const oursMisses = table.filter((row) => row.ours !== row.expected);
  const anchorMisses = table.filter((row) => row.anchor !== row.expected);
  const missedBreaks = (engine: 'ours' | 'anchor') =>
    table.filter((row) => row.expected === 'breaking' && row[engine] !== 'breaking').length;
  const falseAlarms = (engine: 'ours' | 'anchor') =>
    table.filter((row) => row.expected !== 'breaking' && row[engine] === 'breaking').length;
  const kinds = {
    undetected: anchorMisses.filter((row) => row.anchor === 'no change').length,
    opposite: anchorMisses.filter((row) => row.anchor === 'breaking' || row.anchor === 'non-breaking').length,
    other: anchorMisses.filter((row) => row.anchor === 'unclassified' || row.anchor === 'refused').length,
    refused: anchorMisses.filter((row) => row.anchor === 'refused').length,
  };
  log(
    `case table: ${httpCases.length} HTTP cases; misses: ours ${oursMisses.length}, openapi-diff ${anchorMisses.length}.`,
  );

  const target = {
    on: 'ours' as const,
    op: '<=' as const,
    value: TARGET_MS,
    label: `≤ ${TARGET_MS.toLocaleString('en-US')} ms`,
  };
  const rows: Row[] = [
    {
      metric: `diff a ${operations}-operation contract with ${changes.length} changes: parse + classify, median`,
      unit: 'ms',
      ours: median(samples.ours),
      anchor: median(samples.anchor),
      digits: 1,
      target,
    },
    { metric: 'the same, min', unit: 'ms', ours: min(samples.ours), anchor: min(samples.anchor), digits: 1 },
    {
      metric: 'ours classifying the parsed documents (no JSON.parse), median',
      unit: 'ms',
      ours: median(samples.oursClassify),
      anchor: null,
      digits: 1,
    },
    {
      metric: `that pair: its ${breakingExpected.length} breaking changes found (openapi-diff: a breaking difference at the same operation)`,
      unit: 'changes',
      ours: breakingExpected.length,
      anchor: anchorCaught.length,
    },
    {
      metric: `case table, ${httpCases.length} HTTP cases: verdict as expected`,
      unit: 'cases',
      ours: httpCases.length - oursMisses.length,
      anchor: httpCases.length - anchorMisses.length,
      target: { on: 'ours', op: '>=', value: httpCases.length, label: `all ${httpCases.length}` },
    },
    {
      metric: 'case table: breaking changes passed as not breaking (missed breaks)',
      unit: 'cases',
      ours: missedBreaks('ours'),
      anchor: missedBreaks('anchor'),
    },
    {
      metric: 'case table: non-breaking changes called breaking (false alarms)',
      unit: 'cases',
      ours: falseAlarms('ours'),
      anchor: falseAlarms('anchor'),
    },
  ];
  const evaluated = rows.map(evaluate);
  const busyRuns = busy.filter((cores) => cores >= QUIET_CORES).length;
  const speedup = median(samples.anchor) / median(samples.ours);
  const missed = breakingExpected.filter((edit) => !anchorCaught.includes(edit)).map((edit) => edit.rule);

  const { markdown } = await saveResult({
    benchmark: 'contract',
    title: `Breaking-change classification: the contract engine vs openapi-diff ${anchorVersion}`,
    ours: 'tools/contract/src/diff diffHttpContracts(base, head) on the two JSON texts (JSON.parse + classify)',
    anchor: `npm openapi-diff@${anchorVersion}: diffSpecs({sourceSpec, destinationSpec}) on the same texts (format openapi3)`,
    anchorName: 'openapi-diff',
    env,
    config: {
      runs: flags.runs,
      warmup: flags.warmup,
      resources: flags.resources,
      operations,
      changes: changes.length,
      breaking: breakingExpected.length,
      httpCases: httpCases.length,
    },
    rows: evaluated,
    notes: [
      `Speed: openapi-diff takes ${speedup.toFixed(1)}× ours (medians) on the ${operations}-operation pair.`,
      `Correctness first: ours reported exactly the ${changes.length} changes made (rule and location), ${breakingExpected.length} of them breaking. openapi-diff reported ${(anchorOutcome.breakingDifferences ?? []).length} breaking, ${anchorOutcome.nonBreakingDifferences.length} non-breaking and ${anchorOutcome.unclassifiedDifferences.length} unclassified differences; no breaking one at the operation of: ${missed.join(', ') || 'none'}.`,
      `Case table verdicts: ours misses ${oursMisses.length}, openapi-diff ${anchorMisses.length} of ${httpCases.length} (an unclassified or refused case counts as a miss; "no change" where a non-breaking change was expected too, though a gate would pass it). Both tables below.`,
      `openapi-diff's misses: ${kinds.undetected} changes not detected at all (parameters, enums, patterns, formats, media types, deprecated…), ${kinds.opposite} with a wrong verdict, ${kinds.other} unclassified or refused (${kinds.refused} refused).`,
      busyRuns === 0
        ? `Interleaved: each run times every variant once, in turn, after waiting for other processes to use < ${QUIET_CORES} core.`
        : `WARNING: ${busyRuns} of ${busy.length} timed runs started while other processes used ≥ ${QUIET_CORES} core; those times are inflated.`,
      `Load average (1 m): ${env.loadAverage1m} at start, ${loadAverage1m().toFixed(2)} at end (${env.cores} cores, shared).`,
    ],
    raw: {
      samples: Object.fromEntries(
        Object.entries(samples).map(([name, values]) => [name, { ...summarize(values), values }]),
      ),
      busyCoresBefore: busy,
      cases: table,
    },
  });

  // The per-case misses, under the table saveResult wrote.
  const missTable = (title: string, misses: typeof table, engine: 'ours' | 'anchor') =>
    [
      `### ${title}: ${misses.length} of ${httpCases.length}`,
      '',
      ...(misses.length === 0
        ? ['None.']
        : [
            '| case | expected | verdict | note |',
            '| --- | --- | --- | --- |',
            ...misses.map(
              (row) =>
                `| ${row.name.replace(/\|/g, '\\|')} | ${row.expected} | ${row[engine]} | ${row.note.replace(/\|/g, '\\|')} |`,
            ),
          ]),
      '',
    ].join('\n');
  const sections = [
    '## Case table misses',
    '',
    missTable('Ours', oursMisses, 'ours'),
    missTable('openapi-diff', anchorMisses, 'anchor'),
  ].join('\n');
  process.stdout.write(`\n${sections}`);
  writeFileSync(markdown, `${readFileSync(markdown, 'utf8')}\n${sections}`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:contract failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
