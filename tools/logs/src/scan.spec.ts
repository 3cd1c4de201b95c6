import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createFilter, type FilterSpec } from './filter';
import { parseRecord } from './log-record';
import {
  LineScanner,
  LogFileReader,
  MAX_LINE_BYTES,
  mergeByTime,
  newStats,
  readStream,
  readToEnd,
  type LogEntry,
} from './scan';

const json = (fields: Record<string, unknown>) => JSON.stringify({ level: 'info', time: 1000, ...fields });
/** Every shape a line can take: JSON, text, blank, CRLF, the id in another field, multi-byte characters. */
const LINES = [
  json({ correlationId: 'order-42', msg: 'first' }),
  'plain text mentioning "order-42"',
  '',
  `${json({ correlationId: 'order-43', causationId: 'order-42', msg: 'near miss' })}\r`,
  json({ correlationId: 'order-42', msg: 'prix: 12 € — ok ✓', time: 2000 }),
  '   ',
  '[1,2,3]',
  json({ correlationId: 'order-42', msg: 'last, no line break', time: 3000 }),
];
const TEXT = `${LINES.join('\n')}`;

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});
const tempFile = (content: string | Buffer) => {
  folder ??= mkdtempSync(join(tmpdir(), 'musiccorp-scan-'));
  const file = join(folder, `f${Math.random().toString(16).slice(2)}.log`);
  writeFileSync(file, content);
  return file;
};

/** What a plain line-by-line read would select. */
function reference(spec: FilterSpec): string[] {
  const filter = createFilter(spec);
  return TEXT.split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      const record = parseRecord(line);
      if (!record) return filter.keepsText && (!filter.needle || line.includes(filter.needle.toString()));
      return filter.matches(record, record['time'] as number);
    });
}

function scanInChunks(spec: FilterSpec, chunkBytes: number): string[] {
  const scanner = new LineScanner({ label: 'test', service: undefined }, createFilter(spec), newStats());
  const bytes = Buffer.from(TEXT);
  const entries: LogEntry[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    entries.push(...scanner.push(bytes.subarray(offset, offset + chunkBytes)));
  }
  entries.push(...scanner.end());
  return entries.map((entry) => entry.text);
}

describe('LineScanner', () => {
  it.each<[string, FilterSpec]>([
    ['no filter', {}],
    ['--correlation (byte scan first)', { correlationId: 'order-42' }],
    ['a field (byte scan on its value)', { fields: [{ path: 'msg', value: 'near miss' }] }],
    ['a level (every line parsed)', { minLevel: 30 }],
  ])('selects what a line-by-line read does, however the bytes are chunked: %s', (_, spec) => {
    const expected = reference(spec);
    expect(expected.length).toBeGreaterThan(0);
    for (const chunkBytes of [1, 2, 3, 7, 16, 64, 1024]) expect(scanInChunks(spec, chunkBytes)).toEqual(expected);
  });

  it('parses only the lines around the needle, and rejects the near miss', () => {
    const stats = newStats();
    const scanner = new LineScanner(
      { label: 't', service: undefined },
      createFilter({ correlationId: 'order-42' }),
      stats,
    );
    const texts = [...scanner.push(Buffer.from(TEXT)), ...scanner.end()].map((entry) => entry.text);
    expect(texts).toEqual([LINES[0], LINES[1], LINES[4], LINES[7]]);
    expect(stats).toMatchObject({ decoded: 5, matched: 4, notJson: 1 });
  });

  it('skips a line longer than MAX_LINE_BYTES, holding none of it, and reads on after it', async () => {
    const file = tempFile(
      Buffer.concat([
        Buffer.from(`${json({ msg: 'before' })}\n`),
        Buffer.alloc(MAX_LINE_BYTES + 10, 'x'),
        Buffer.from(`\n${json({ msg: 'after' })}\n`),
      ]),
    );
    const stats = newStats();
    const reader = new LogFileReader(file, undefined, createFilter({}), stats, 1024 * 1024);
    const texts: string[] = [];
    for await (const batch of readToEnd(reader)) texts.push(...batch.map((entry) => entry.text));
    expect(texts.map((text) => JSON.parse(text).msg)).toEqual(['before', 'after']);
    expect(stats.oversized).toBe(1);
  });

  it('reads a stream (stdin) to its end', async () => {
    const stream = Readable.from([Buffer.from(TEXT.slice(0, 40)), Buffer.from(TEXT.slice(40))]);
    const filter = createFilter({ correlationId: 'order-42' });
    const texts: string[] = [];
    for await (const batch of readStream(stream, { label: 'stdin', service: undefined }, filter, newStats())) {
      texts.push(...batch.map((entry) => entry.text));
    }
    expect(texts).toEqual([LINES[0], LINES[1], LINES[4], LINES[7]]);
  });
});

describe('LogFileReader, read again as the file grows (--follow)', () => {
  it('gives what was appended, a line only once its line break is written, and restarts a truncated file', async () => {
    const two = json({ msg: 'two' });
    const file = tempFile(`${json({ msg: 'one' })}\n${two.slice(0, 10)}`);
    const reader = new LogFileReader(file, 'catalog', createFilter({}), newStats());
    const read = async (onRestart?: (path: string) => void) => {
      const messages: string[] = [];
      for await (const batch of reader.read(undefined, onRestart)) {
        messages.push(...batch.map((entry) => String(entry.record?.['msg'])));
      }
      return messages;
    };
    expect(await read()).toEqual(['one']);
    expect(await read()).toEqual([]);
    appendFileSync(file, `${two.slice(10)}\n${json({ msg: 'three' })}\n`);
    expect(await read()).toEqual(['two', 'three']);
    truncateSync(file, 0);
    appendFileSync(file, `${json({ msg: 'rotated' })}\n`);
    const restarted: string[] = [];
    expect(await read((path) => restarted.push(path))).toEqual(['rotated']);
    expect(restarted).toEqual([file]);
  });
});

describe('mergeByTime', () => {
  it("interleaves sources by time, ties to the first source, a text line right after its source's line before it", async () => {
    const a = tempFile(
      [json({ msg: 'a1', time: 1 }), json({ msg: 'a3', time: 3 }), 'a stack trace', json({ msg: 'a5', time: 5 })].join(
        '\n',
      ),
    );
    const b = tempFile(
      [json({ msg: 'b2', time: 2 }), json({ msg: 'b3', time: 3 }), json({ msg: 'b9', time: 9 })].join('\n'),
    );
    const filter = createFilter({});
    // One-byte chunks: a batch per line, so the merge must refill its sources many times.
    const readers = [a, b].map((file) => new LogFileReader(file, undefined, filter, newStats(), 1));
    const order: string[] = [];
    for await (const batch of mergeByTime(readers.map((reader) => readToEnd(reader)))) {
      order.push(...batch.map((entry) => (entry.record ? String(entry.record['msg']) : entry.text)));
    }
    expect(order).toEqual(['a1', 'b2', 'a3', 'a stack trace', 'b3', 'a5', 'b9']);
  });
});
