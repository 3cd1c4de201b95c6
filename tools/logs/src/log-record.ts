/**
 * One chassis log line as read back: pino's JSON object (`level` as a name, as the chassis writes it, or pino's
 * number), its fields looked up by name or dotted path, its time and level as numbers.
 */
export type LogRecord = Record<string, unknown>;

/** pino's levels. */
export const LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};
const LEVEL_NAMES = new Map(Object.entries(LEVELS).map(([name, value]) => [value, name]));

/** The level of a line as a number (the chassis writes names, pino by default numbers); undefined when unknown. */
export function levelOf(record: LogRecord): number | undefined {
  const level = record['level'];
  if (typeof level === 'number') return level;
  return typeof level === 'string' ? LEVELS[level.toLowerCase()] : undefined;
}

/** `info`, `warn`…, or the number itself for a level pino does not name. */
export function levelName(level: number | undefined): string {
  return level === undefined ? '?' : (LEVEL_NAMES.get(level) ?? String(level));
}

const ERROR_LEVEL = 50;

/** An `error` (50) or `fatal` line. */
export function isErrorLevel(record: LogRecord): boolean {
  return (levelOf(record) ?? 0) >= ERROR_LEVEL;
}

/** Epoch milliseconds of the line's `time` (pino's number, or an ISO string another writer used); else undefined. */
export function timeOf(record: LogRecord): number | undefined {
  const time = record['time'];
  if (typeof time === 'number') return Number.isFinite(time) ? time : undefined;
  if (typeof time !== 'string') return undefined;
  const parsed = Date.parse(time);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** A field by its name (`req.id` as one key, if the line has it) or else by its dotted path (`err.message`). */
export function fieldOf(record: LogRecord, path: string): unknown {
  if (Object.hasOwn(record, path)) return record[path];
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function stringField(record: LogRecord, name: string): string | undefined {
  const value = record[name];
  return typeof value === 'string' ? value : undefined;
}

export function numberField(record: LogRecord, name: string): number | undefined {
  const value = record[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The line parsed, when it is a JSON object; undefined for anything else (a stack trace, tsx's notices, `[1]`). */
export function parseRecord(text: string): LogRecord | undefined {
  if (text.charCodeAt(0) !== 0x7b /* { */) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as LogRecord) : undefined;
  } catch {
    return undefined;
  }
}
