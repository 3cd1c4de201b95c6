/**
 * What `npm run logs` selects: every condition given must hold (AND). A line can only match `--correlation=<id>`
 * when its bytes contain the id as a JSON string, so the scanner looks for those bytes first and parses only the
 * lines that have them (see scan.ts); the same holds, more loosely, for a `field=value` value.
 */
import { UsageError } from '@musiccorp/core/cli';
import { LEVELS, fieldOf, levelOf, type LogRecord } from './log-record';

export interface FilterSpec {
  correlationId?: string;
  /** Any of these services. */
  services?: readonly string[];
  /** At least this level. */
  minLevel?: number;
  /** Lines at or after this time (epoch ms). */
  since?: number;
  /** `field=value` conditions, on a field's name or dotted path. */
  fields?: readonly FieldCondition[];
  /** Whether lines that are not JSON may be kept at all (not for JSON output). Default true. */
  textLines?: boolean;
}

export interface FieldCondition {
  path: string;
  value: string;
}

export interface LogFilter {
  /** Bytes every matching line contains (undefined: every line is a candidate). */
  readonly needle: Buffer | undefined;
  /** Whether a JSON line matches. */
  matches(record: LogRecord, time: number | undefined): boolean;
  /**
   * Whether a line that is not JSON is kept: only when nothing is filtered but, at most, the correlation id (which the
   * scanner has then found in its text), and text lines are wanted. Field conditions cannot hold for text.
   */
  readonly keepsText: boolean;
}

export function createFilter(spec: FilterSpec): LogFilter {
  const { correlationId, minLevel, since } = spec;
  const services = spec.services && spec.services.length > 0 ? new Set(spec.services) : undefined;
  const fields = spec.fields ?? [];
  return {
    needle: needleOf(spec),
    keepsText:
      (spec.textLines ?? true) &&
      services === undefined &&
      minLevel === undefined &&
      since === undefined &&
      fields.length === 0,
    matches(record, time) {
      if (correlationId !== undefined && record['correlationId'] !== correlationId) return false;
      if (services && !services.has(record['service'] as string)) return false;
      if (minLevel !== undefined && (levelOf(record) ?? -Infinity) < minLevel) return false;
      if (since !== undefined && (time === undefined || time < since)) return false;
      return fields.every(({ path, value }) => valueMatches(fieldOf(record, path), value));
    },
  };
}

/**
 * The most selective bytes a matching line must contain: the correlation id as a JSON string (how pino and
 * JSON.stringify write it), else the longest `field=value` value (bare: it may match a number, a boolean or an
 * object as well as a string) that JSON writes as it is, else one service's name as a JSON string. None when nothing
 * narrows the lines.
 */
function needleOf({ correlationId, services, fields = [] }: FilterSpec): Buffer | undefined {
  if (correlationId !== undefined) return Buffer.from(JSON.stringify(correlationId));
  const values = fields
    .map(({ value }) => value)
    .filter((value) => value.length > 0 && JSON.stringify(value) === `"${value}"`);
  const longest = values.sort((a, b) => b.length - a.length)[0];
  if (longest !== undefined) return Buffer.from(longest);
  if (services?.length === 1) return Buffer.from(JSON.stringify(services[0]));
  return undefined;
}

/** `status=500` matches the number 500, `ok=true` the boolean, `err=null` null; objects by their compact JSON. */
function valueMatches(actual: unknown, expected: string): boolean {
  if (actual === undefined) return false;
  if (typeof actual === 'string') return actual === expected;
  if (actual === null || typeof actual === 'object') return JSON.stringify(actual) === expected;
  return String(actual) === expected;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const ISO_TIME = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?$/;

/** `--since`: an ISO time, or a duration back from `now` (`90s`, `5m`, `2h`, `1d`). */
export function parseSince(text: string, now: number): number {
  const duration = DURATION.exec(text);
  if (duration) return now - Number(duration[1]) * (UNIT_MS[duration[2] ?? ''] ?? 0);
  const time = ISO_TIME.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new UsageError(
      `--since=${text} is neither an ISO time (2026-12-02T13:05:00Z) nor a duration back from now (90s, 5m, 2h, 1d).`,
    );
  }
  return time;
}

/** `--level`: a pino level name (trace … fatal) or number; lines at this level or above. */
export function parseLevel(text: string): number {
  const named = LEVELS[text.toLowerCase()];
  if (named !== undefined) return named;
  if (/^\d+$/.test(text)) return Number(text);
  throw new UsageError(
    `--level=${text} is not a level: use ${Object.keys(LEVELS).join(', ')}, or a number (30 = info).`,
  );
}

/** `field=value` (a field name or dotted path, then `=`): how a command line argument is told from a file. */
const FIELD_CONDITION = /^([A-Za-z_$@][\w$@.-]*)=(.*)$/s;

export function parseFieldCondition(argument: string): FieldCondition | undefined {
  const match = FIELD_CONDITION.exec(argument);
  return match ? { path: match[1] ?? '', value: match[2] ?? '' } : undefined;
}
