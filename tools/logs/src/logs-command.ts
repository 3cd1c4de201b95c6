/**
 * `npm run logs`: the services' JSON log lines, filtered on any field — as `main(argv, out, err, options)`;
 * logs-cli.ts runs it.
 */
import type { Readable } from 'node:stream';
import { CommandLine, UsageError } from '@musiccorp/core/cli';
import {
  createFilter,
  parseFieldCondition,
  parseLevel,
  parseSince,
  type FieldCondition,
  type LogFilter,
} from './filter';
import { formatEntry } from './format';
import { resolveInputs, type Inputs } from './inputs';
import { BatchedOutput } from './output';
import { workspaceRootOf } from './run-folder';
import { Scan, newStats, type LogEntry, type ScanStats } from './scan';

const LOGS = new CommandLine({
  name: 'logs',
  usage:
    'npm run logs -- [--correlation=<id>] [--service=<name>[,…]] [--level=<level>] [--since=<time>] [field=value …] [--follow] [--json] [--run=<id|path> | <file|folder|-> …]',
  help: `Reads the services' JSON log lines — by default the latest run of \`npm run dev\` (.musiccorp/runs/<run>/<service>.log),
or --run, or the files and folders given (logs saved by CI), or stdin when something is piped in — merged by time, and
prints those that match every filter given.
  --correlation  lines of one request or event chain (its correlationId); \`npm run trace -- <id>\` nests them
  --service      lines of these services (a comma-separated list)
  --level        lines at this level or above: trace, debug, info, warn, error, fatal, or a number
  --since        lines at or after an ISO time (2026-12-02T13:05:00Z) or a duration back from now (90s, 5m, 2h, 1d)
  field=value    lines whose field (a name or dotted path: status=500, err.type=TypeError) has this value
  --follow       then prints lines as the files grow (new services' files too) until Ctrl-C
  --json         the matching lines as they were written (JSON lines, for jq); lines that are not JSON are left out
  --run          a run id (see .musiccorp/runs), \`latest\`, or the path of a folder of <service>.log files
Lines that are not JSON (a stack trace, tsx's notices) match no field filter: they are printed, marked TEXT, when
nothing but --correlation is given (and they contain the id), and counted on stderr either way.
Exit codes: 0 done (matching or not), 2 bad arguments or no logs to read.`,
  flags: {
    correlation: { type: 'string' },
    service: { type: 'string' },
    level: { type: 'string' },
    since: { type: 'string' },
    run: { type: 'string' },
    follow: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: { expected: 'field=value filters, then log files or folders', min: 0 },
});

export interface LogsOptions {
  /** The workspace root whose `.musiccorp/runs` is read (default: the one around the current folder). */
  root?: string;
  /** What is piped in, read when no file is named (logs-cli.ts passes stdin when it is a pipe or a file). */
  stdin?: Readable;
  /** Stops the scan, or --follow (what SIGINT does when run as a process). */
  signal?: AbortSignal;
  /** The clock for `--since=5m`. */
  now?: () => number;
}

export const main = LOGS.main(
  async ({ flags, positionals }, { out, err }, options: LogsOptions = {}): Promise<number> => {
    const fields: FieldCondition[] = [];
    const paths: string[] = [];
    for (const argument of positionals) {
      const condition = parseFieldCondition(argument);
      if (condition) fields.push(condition);
      else paths.push(argument);
    }
    const filter = createFilter({
      correlationId: flags.correlation,
      services: flags.service === undefined ? undefined : serviceNames(flags.service),
      minLevel: flags.level === undefined ? undefined : parseLevel(flags.level),
      since: flags.since === undefined ? undefined : parseSince(flags.since, (options.now ?? Date.now)()),
      fields,
      textLines: !flags.json,
    });
    const inputs = resolveInputs({
      root: options.root ?? workspaceRootOf(),
      run: flags.run,
      paths,
      stdin: options.stdin,
    });
    const output = new BatchedOutput(out);
    const serviceWidth = Math.max(12, ...inputs.files.map((file) => (file.service ?? '').length));
    const print = async (batch: readonly LogEntry[]) => {
      for (const entry of batch) {
        if (flags.json) {
          if (entry.record) output.add(entry.text);
        } else output.add(formatEntry(entry, serviceWidth));
      }
      await output.flushIfFull();
    };
    const stats = newStats();
    const scan = new Scan(inputs, filter, stats, options.signal);
    await scan.toEnd(print, flags.follow);
    if (flags.follow && !options.signal?.aborted) {
      await output.flush();
      await scan.follow(
        print,
        () => output.flush(),
        (text) => err.write(`logs: ${text}\n`),
      );
    }
    await output.flush();
    err.write(`${summary(stats, inputs, filter)}\n`);
    return options.signal?.aborted && !flags.follow ? 130 : 0;
  },
);

/** `--service=catalog,payment`: names, at least one. */
function serviceNames(list: string): string[] {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`--service=${list} names no service: --service=catalog,payment.`);
  return names;
}

function summary(stats: ScanStats, inputs: Inputs, filter: LogFilter): string {
  const megabytes = (stats.bytes / 1_048_576).toFixed(1);
  const read = filter.needle
    ? `${megabytes} MB of ${inputs.description} scanned for ${filter.needle.toString()}, ${stats.decoded.toLocaleString('en-US')} lines parsed`
    : `${stats.decoded.toLocaleString('en-US')} lines (${megabytes} MB) of ${inputs.description} read`;
  const text =
    stats.notJson > 0
      ? `; ${stats.notJson.toLocaleString('en-US')} not JSON${filter.keepsText ? ' (marked TEXT)' : ' (left out)'}`
      : '';
  const long = stats.oversized > 0 ? `; ${stats.oversized} longer than 16 MiB skipped` : '';
  const lines = `${stats.matched.toLocaleString('en-US')} matching line${stats.matched === 1 ? '' : 's'}`;
  return `logs: ${lines}; ${read}${text}${long}.`;
}
