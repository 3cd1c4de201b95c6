/**
 * Reads log lines fast and in bounded memory, whatever the size of the files: bytes come in large chunks, and when
 * the filter has a needle (the correlation id as a JSON string) only the lines around its occurrences are decoded and
 * parsed — a line without those bytes cannot match. Several files are merged by time, each being in time order
 * already; `--follow` then reads what each file gains.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogFilter } from './filter';
import type { Inputs } from './inputs';
import { parseRecord, timeOf, type LogRecord } from './log-record';
import { logFilesIn, serviceOfLogFile } from './run-folder';

/** Read at a time, into one buffer per file: a gigabyte is a thousand reads. */
export const CHUNK_BYTES = 1024 * 1024;
/** A longer line is skipped (counted): it is not a log line, and holding it would make memory unbounded. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** How often --follow looks for what the files gained. */
const FOLLOW_POLL_MS = 200;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export interface LogSource {
  /** A file's path, or `stdin`. */
  readonly label: string;
  /** The service a run's file belongs to (`catalog.log`), shown with its lines that are not JSON. */
  readonly service: string | undefined;
}

export interface LogEntry {
  /** The line as written, without its line break. */
  readonly text: string;
  /** The line parsed; undefined when it is not a JSON object. */
  readonly record: LogRecord | undefined;
  /** Its `time` (epoch ms), or the last time seen before it in its source: where it sorts. */
  readonly time: number;
  readonly source: LogSource;
}

export interface ScanStats {
  bytes: number;
  /** Lines decoded: every line without a needle, only those around its occurrences with one. */
  decoded: number;
  matched: number;
  /** Decoded lines that are not JSON objects. */
  notJson: number;
  /** Lines over MAX_LINE_BYTES, skipped. */
  oversized: number;
}

export function newStats(): ScanStats {
  return { bytes: 0, decoded: 0, matched: 0, notJson: 0, oversized: 0 };
}

/** Splits one source's bytes into lines and keeps those the filter matches. */
export class LineScanner {
  /** The beginning of a line whose end is not read yet. */
  private carry: Buffer | undefined;
  /** Inside a line longer than MAX_LINE_BYTES: dropped up to its line break. */
  private skipping = false;
  private lastTime = -Infinity;

  constructor(
    private readonly source: LogSource,
    private readonly filter: LogFilter,
    private readonly stats: ScanStats,
  ) {}

  /** The matching lines completed by `chunk`; a last line without its line break waits for the next chunk. */
  push(chunk: Buffer): LogEntry[] {
    this.stats.bytes += chunk.length;
    const matched: LogEntry[] = [];
    let start = 0;
    if (this.carry !== undefined || this.skipping) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        this.hold(chunk);
        return matched;
      }
      if (this.carry !== undefined && this.carry.length + newline > MAX_LINE_BYTES) {
        this.stats.oversized += 1;
      } else if (this.carry !== undefined) {
        const line = Buffer.concat([this.carry, chunk.subarray(0, newline)]);
        if (!this.filter.needle || line.includes(this.filter.needle)) this.line(line, 0, line.length, matched);
      }
      this.carry = undefined;
      this.skipping = false;
      start = newline + 1;
    }
    const end = chunk.lastIndexOf(NEWLINE) + 1;
    if (end > start) this.lines(chunk, start, end, matched);
    const rest = Math.max(start, end);
    if (rest < chunk.length) this.hold(chunk.subarray(rest));
    return matched;
  }

  /** At the end of the source: its last line, when it has no line break. */
  end(): LogEntry[] {
    const matched: LogEntry[] = [];
    const line = this.carry;
    this.carry = undefined;
    this.skipping = false;
    if (line && (!this.filter.needle || line.includes(this.filter.needle))) this.line(line, 0, line.length, matched);
    return matched;
  }

  /** Forgets a partly read line: the file was truncated or replaced, and is read again from its start. */
  restart(): void {
    this.carry = undefined;
    this.skipping = false;
  }

  /** The lines of `chunk[start, end)`, each ending with a line break. */
  private lines(chunk: Buffer, start: number, end: number, matched: LogEntry[]): void {
    const needle = this.filter.needle;
    if (!needle) {
      for (let lineStart = start; lineStart < end;) {
        const newline = chunk.indexOf(NEWLINE, lineStart);
        this.line(chunk, lineStart, newline, matched);
        lineStart = newline + 1;
      }
      return;
    }
    // Only the lines that contain the needle: the line break before an occurrence, the one after it.
    for (let hit = chunk.indexOf(needle, start); hit !== -1 && hit < end;) {
      const lineStart = Math.max(chunk.lastIndexOf(NEWLINE, hit) + 1, start);
      const newline = chunk.indexOf(NEWLINE, hit);
      this.line(chunk, lineStart, newline, matched);
      hit = chunk.indexOf(needle, newline + 1);
    }
  }

  private line(bytes: Buffer, start: number, end: number, matched: LogEntry[]): void {
    const stop = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    if (stop === start) return;
    this.stats.decoded += 1;
    const text = bytes.toString('utf8', start, stop);
    const record = parseRecord(text);
    if (record === undefined) {
      if (text.trim() === '') return;
      this.stats.notJson += 1;
      if (!this.filter.keepsText) return;
      this.stats.matched += 1;
      matched.push({ text, record, time: this.lastTime, source: this.source });
      return;
    }
    const time = timeOf(record);
    if (time !== undefined) this.lastTime = time;
    if (!this.filter.matches(record, time)) return;
    this.stats.matched += 1;
    matched.push({ text, record, time: this.lastTime, source: this.source });
  }

  private hold(part: Buffer): void {
    if (this.skipping) return;
    const length = (this.carry?.length ?? 0) + part.length;
    if (length > MAX_LINE_BYTES) {
      this.carry = undefined;
      this.skipping = true;
      this.stats.oversized += 1;
      return;
    }
    // A copy: a slice would keep the whole chunk it came from alive.
    this.carry = this.carry ? Buffer.concat([this.carry, part]) : Buffer.from(part);
  }
}

/** A log file read in chunks from where it stopped: to its end once, then (for --follow) again as it grows. */
export class LogFileReader {
  readonly source: LogSource;
  private readonly scanner: LineScanner;
  private position = 0;
  /** Reused for every read: the scanner copies what it keeps (a line's start, decoded lines). */
  private buffer: Buffer | undefined;

  constructor(
    readonly path: string,
    service: string | undefined,
    filter: LogFilter,
    stats: ScanStats,
    private readonly chunkBytes = CHUNK_BYTES,
  ) {
    this.source = { label: path, service };
    this.scanner = new LineScanner(this.source, filter, stats);
  }

  /**
   * The matching lines from where reading stopped to the file's end as it is now, a batch per chunk. A file now
   * shorter than what was read was truncated or replaced: `onRestart` is told, and it is read from its start.
   */
  async *read(signal?: AbortSignal, onRestart?: (path: string) => void): AsyncGenerator<LogEntry[]> {
    const handle = await open(this.path, 'r');
    try {
      const { size } = await handle.stat();
      if (size < this.position) {
        this.position = 0;
        this.scanner.restart();
        onRestart?.(this.path);
      }
      while (this.position < size && !signal?.aborted) {
        this.buffer ??= Buffer.allocUnsafe(this.chunkBytes);
        const length = Math.min(this.buffer.length, size - this.position);
        const { bytesRead } = await handle.read(this.buffer, 0, length, this.position);
        if (bytesRead === 0) break;
        this.position += bytesRead;
        const batch = this.scanner.push(this.buffer.subarray(0, bytesRead));
        if (batch.length > 0) yield batch;
      }
    } finally {
      await handle.close();
    }
  }

  /** Once the file is read for good: its last line, when it has no line break. */
  end(): LogEntry[] {
    return this.scanner.end();
  }
}

/** The whole file, its last unterminated line included. */
export async function* readToEnd(reader: LogFileReader, signal?: AbortSignal): AsyncGenerator<LogEntry[]> {
  yield* reader.read(signal);
  const last = reader.end();
  if (last.length > 0) yield last;
}

/** A stream (stdin) to its end. */
export async function* readStream(
  stream: Readable,
  source: LogSource,
  filter: LogFilter,
  stats: ScanStats,
  signal?: AbortSignal,
): AsyncGenerator<LogEntry[]> {
  const scanner = new LineScanner(source, filter, stats);
  for await (const chunk of stream) {
    if (signal?.aborted) return;
    const batch = scanner.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    if (batch.length > 0) yield batch;
  }
  const last = scanner.end();
  if (last.length > 0) yield last;
}

/**
 * Batches of several sources as one sequence in time order (a k-way merge: each source is in time order, the
 * earliest head goes first, ties to the source listed first). Holds one batch per source.
 */
export async function* mergeByTime(sources: readonly AsyncIterator<LogEntry[]>[]): AsyncGenerator<LogEntry[]> {
  if (sources.length === 1 && sources[0]) {
    for (let next = await sources[0].next(); !next.done; next = await sources[0].next()) yield next.value;
    return;
  }
  interface Head {
    iterator: AsyncIterator<LogEntry[]>;
    batch: LogEntry[];
    index: number;
  }
  const refill = async (iterator: AsyncIterator<LogEntry[]>): Promise<Head | undefined> => {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (next.value.length > 0) return { iterator, batch: next.value, index: 0 };
    }
    return undefined;
  };
  const heads = (await Promise.all(sources.map(refill))).filter((head) => head !== undefined);
  let merged: LogEntry[] = [];
  const headTime = (head: Head | undefined) => head?.batch[head.index]?.time ?? Infinity;
  while (heads.length > 0) {
    let earliest = 0;
    for (let i = 1; i < heads.length; i++) if (headTime(heads[i]) < headTime(heads[earliest])) earliest = i;
    const head = heads[earliest];
    const entry = head?.batch[head.index];
    if (!head || !entry) break; // every head holds an entry: refill skips empty batches
    merged.push(entry);
    head.index += 1;
    if (head.index < head.batch.length) continue;
    if (merged.length > 0) yield merged;
    merged = [];
    const refilled = await refill(head.iterator);
    if (refilled) heads[earliest] = refilled;
    else heads.splice(earliest, 1);
  }
}

/** One read of the inputs: to their ends, then, for --follow, on as they grow. */
export class Scan {
  private readonly readers: LogFileReader[];

  constructor(
    private readonly inputs: Inputs,
    private readonly filter: LogFilter,
    private readonly stats: ScanStats,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.readers = inputs.files.map((file) => new LogFileReader(file.path, file.service, filter, stats));
  }

  /** Everything there is now, merged by time. With --follow to come, a file's unterminated last line waits. */
  async toEnd(print: (batch: readonly LogEntry[]) => Promise<void>, following = false): Promise<void> {
    const sources = this.readers.map((reader) =>
      following ? reader.read(this.signal) : readToEnd(reader, this.signal),
    );
    if (this.inputs.stdin) {
      const source = { label: 'stdin', service: undefined };
      sources.push(readStream(this.inputs.stdin, source, this.filter, this.stats, this.signal));
    }
    for await (const batch of mergeByTime(sources)) await print(batch);
  }

  /**
   * What the files gain, as it comes, until the signal: `idle` after each look (the output is flushed there). A run's
   * folder is watched for new services' files; a file that disappears is let go.
   */
  async follow(
    print: (batch: readonly LogEntry[]) => Promise<void>,
    idle: () => Promise<void>,
    notice: (text: string) => void,
  ): Promise<void> {
    const known = new Set(this.readers.map((reader) => reader.path));
    const restarted = (path: string) => notice(`${path} was truncated or replaced: reading it from its start`);
    while (!this.signal?.aborted) {
      for (const reader of [...this.readers]) {
        try {
          for await (const batch of reader.read(this.signal, restarted)) await print(batch);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          this.readers.splice(this.readers.indexOf(reader), 1);
          notice(`${reader.path} is gone: no longer following it`);
        }
      }
      await idle();
      for (const path of this.inputs.folder && existsSync(this.inputs.folder) ? logFilesIn(this.inputs.folder) : []) {
        if (known.has(path)) continue;
        known.add(path);
        this.readers.push(new LogFileReader(path, serviceOfLogFile(path), this.filter, this.stats));
        notice(`following ${path} too`);
      }
      try {
        await sleep(FOLLOW_POLL_MS, undefined, { signal: this.signal });
      } catch {
        return; // aborted
      }
    }
  }
}
