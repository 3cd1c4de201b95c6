/**
 * `npm run trace -- <correlation-id>`: one request's timeline across services, from the same logs `npm run logs`
 * reads; `--list` names the correlation ids there are — as `main(argv, out, err, options)`; trace-cli.ts runs it.
 */
import { CommandLine } from '@musiccorp/core/cli';
import { createFilter } from './filter';
import { hopSummary } from './format';
import { resolveInputs, type Inputs } from './inputs';
import { isErrorLevel, stringField, type LogRecord } from './log-record';
import type { LogsOptions } from './logs-command';
import { workspaceRootOf } from './run-folder';
import { Scan, newStats, type LogEntry } from './scan';
import { buildTrace, formatTrace } from './trace';

const TRACE = new CommandLine({
  name: 'trace',
  usage: [
    'npm run trace -- <correlation-id> [--json] [--run=<id|path> | <file|folder|-> …]',
    'npm run trace -- --list [--json] [--run=<id|path> | <file|folder|-> …]',
  ],
  help: `Prints one request's timeline across services from their JSON log lines (the latest run of \`npm run dev\` by default,
or --run, the files and folders given, or stdin when something is piped in): inbound and outbound HTTP with status and
duration, events published and consumed, errors (✗) and compensations (↺), each under the hop that caused it (the
chassis' spanId/parentSpanId, from traceparent), with its time from the start.
  --list  the correlation ids in the logs instead, oldest first, with their first request
  --json  the trace as a JSON tree (with --list: the ids as a JSON array)
  --run   a run id (see .musiccorp/runs), \`latest\`, or the path of a folder of <service>.log files
Exit codes: 0 printed, 1 no line has that correlation id, 2 bad arguments or no logs to read.`,
  flags: {
    list: { type: 'boolean' },
    json: { type: 'boolean' },
    run: { type: 'string' },
  },
  positionals: { expected: 'a correlation id, then log files or folders (none with --list)', min: 0 },
});

export type TraceOptions = Omit<LogsOptions, 'now'>;

export const main = TRACE.main(
  async ({ flags, positionals }, { out, err }, options: TraceOptions = {}): Promise<number> => {
    const correlationId = flags.list ? undefined : positionals[0];
    const paths = flags.list ? positionals : positionals.slice(1);
    if (correlationId === undefined && !flags.list) {
      throw TRACE.refuse('Which request? Give its correlation id; `npm run trace -- --list` lists them.');
    }
    const inputs = resolveInputs({
      root: options.root ?? workspaceRootOf(),
      run: flags.run,
      paths,
      stdin: options.stdin,
    });
    if (correlationId === undefined) {
      const ids = await listCorrelations(inputs, options.signal);
      out.write(flags.json ? `${JSON.stringify(ids, null, 2)}\n` : formatList(ids, inputs));
      return 0;
    }
    const filter = createFilter({ correlationId, textLines: false });
    const stats = newStats();
    const records: LogRecord[] = [];
    await new Scan(inputs, filter, stats, options.signal).toEnd(async (batch) => {
      for (const entry of batch) if (entry.record) records.push(entry.record);
    });
    if (records.length === 0) {
      err.write(
        `trace: no line of ${inputs.description} has correlationId ${JSON.stringify(correlationId)}. List the ids there are: npm run trace -- --list${flags.run ? ` --run=${flags.run}` : ''}\n`,
      );
      return 1;
    }
    const trace = buildTrace(correlationId, records);
    out.write(flags.json ? `${JSON.stringify(trace, null, 2)}\n` : `${formatTrace(trace)}\n`);
    return 0;
  },
);

export interface CorrelationSummary {
  correlationId: string;
  /** ISO time of its first line. */
  first: string;
  lines: number;
  services: string[];
  errors: number;
  /** What started it: its first root request (`POST /orders → 201`), else its first hop, else its first message. */
  entry: string;
}

interface Tally {
  first: number;
  lines: number;
  services: Set<string>;
  errors: number;
  entry: string;
  entryRank: number;
}

/** Every correlation id in the inputs, oldest first: one pass, a few fields held per id. */
export async function listCorrelations(inputs: Inputs, signal?: AbortSignal): Promise<CorrelationSummary[]> {
  const tallies = new Map<string, Tally>();
  const count = (entry: LogEntry) => {
    const record = entry.record;
    const correlationId = record ? stringField(record, 'correlationId') : undefined;
    if (!record || correlationId === undefined) return;
    let tally = tallies.get(correlationId);
    if (!tally) {
      tally = { first: entry.time, lines: 0, services: new Set(), errors: 0, entry: '', entryRank: 3 };
      tallies.set(correlationId, tally);
    }
    tally.first = Math.min(tally.first, entry.time);
    tally.lines += 1;
    tally.services.add(stringField(record, 'service') ?? entry.source.service ?? '?');
    if (isErrorLevel(record)) tally.errors += 1;
    // 0: a request with no caller, 1: another hop, 2: a plain line; the first of the best rank wins.
    const hop = hopSummary(record)[0];
    const rank =
      hop === undefined ? 2 : record['kind'] === 'http.server' && record['parentSpanId'] === undefined ? 0 : 1;
    if (rank < tally.entryRank) {
      tally.entry = hop ?? String(record['msg'] ?? '');
      tally.entryRank = rank;
    }
  };
  await new Scan(inputs, createFilter({ textLines: false }), newStats(), signal).toEnd(async (batch) => {
    for (const entry of batch) count(entry);
  });
  return [...tallies.entries()]
    .sort(([, a], [, b]) => a.first - b.first)
    .map(([correlationId, tally]) => ({
      correlationId,
      first: new Date(tally.first).toISOString(),
      lines: tally.lines,
      services: [...tally.services].sort(),
      errors: tally.errors,
      entry: tally.entry,
    }));
}

function formatList(ids: readonly CorrelationSummary[], inputs: Inputs): string {
  if (ids.length === 0) return `No line of ${inputs.description} has a correlationId.\n`;
  const width = Math.max(...ids.map((id) => id.correlationId.length));
  const rows = ids.map((id) =>
    [
      id.first,
      id.correlationId.padEnd(width),
      `${String(id.lines).padStart(5)} line${id.lines === 1 ? ' ' : 's'}`,
      `${id.services.length} service${id.services.length === 1 ? ' ' : 's'}`,
      id.errors > 0 ? `${id.errors} error${id.errors === 1 ? ' ' : 's'}` : '        ',
      id.entry,
    ].join('  '),
  );
  return `${rows.join('\n')}\n\n${ids.length} correlation ids in ${inputs.description}: npm run trace -- <id>\n`;
}
