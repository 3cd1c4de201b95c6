/**
 * The aggregated stream of `npm run dev`: every service's JSON lines appended raw to `<run>/<service>.log` and
 * printed as one readable line, the service's name in a colour of its own; lines that are not JSON (tsx's
 * restart notices, a crash's stack) are printed as they are, and dev's own status lines stand out.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import type { Output } from '@musiccorp/core/cli';
import { formatLogLine } from './format-line';

/** ANSI foreground colours that read on dark and light terminals. */
const PALETTE = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92];

export class LogStream {
  private readonly files = new Map<string, WriteStream>();
  private readonly labels = new Map<string, string>();

  constructor(
    runDir: string,
    services: readonly string[],
    private readonly out: Output,
    colour = process.stdout.isTTY === true && out === process.stdout && !process.env['NO_COLOR'],
  ) {
    const width = Math.max(...services.map((name) => name.length), 3);
    services.forEach((name, index) => {
      this.files.set(name, createWriteStream(join(runDir, `${name}.log`), { flags: 'a' }));
      const padded = name.padEnd(width);
      this.labels.set(name, colour ? `\x1b[${PALETTE[index % PALETTE.length]}m${padded}\x1b[0m` : padded);
    });
  }

  /** A line a service wrote: kept on disk when it is a JSON log line, printed readably either way. */
  line(service: string, line: string, stream: 'stdout' | 'stderr'): void {
    const label = this.labels.get(service) ?? service;
    let record: unknown;
    try {
      record = line.startsWith('{') ? JSON.parse(line) : undefined;
    } catch {
      record = undefined;
    }
    if (record !== null && typeof record === 'object' && stream === 'stdout') {
      this.files.get(service)?.write(`${line}\n`);
      this.out.write(`${label} ${formatLogLine(record as Record<string, unknown>)}\n`);
    } else {
      this.out.write(`${label} ${stream === 'stderr' ? '! ' : '  '}${line}\n`);
    }
  }

  /** dev's own line: a service ready, the broker's address, stopping. */
  status(text: string): void {
    this.out.write(`▸ ${text}\n`);
  }

  /** Every line written so far is on disk once this resolves. */
  async close(): Promise<void> {
    await Promise.all(
      [...this.files.values()].map(async (file) => {
        file.end();
        await finished(file);
      }),
    );
  }
}
