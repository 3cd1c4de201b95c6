/**
 * The aggregated stream of `npm run dev`: every service's JSON lines appended raw to `<run>/<service>.log` and
 * printed as one readable line, the service's name in a colour of its own; lines that are not JSON (tsx's
 * restart notices, a crash's stack) are printed as they are, and dev's own status lines stand out.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Output } from '@musiccorp/core/cli';
import { formatEntry } from '@musiccorp/logs/format';
import { parseRecord, timeOf } from '@musiccorp/logs/log-record';
import { serviceLogFile } from '@musiccorp/logs/run-folder';

/** ANSI foreground colours that read on dark and light terminals. */
const PALETTE = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92];

export class LogStream {
  private readonly files = new Map<string, WriteStream>();
  private readonly colours = new Map<string, number>();
  private readonly width: number;

  constructor(
    runDir: string,
    services: readonly string[],
    private readonly out: Output,
    colour = process.stdout.isTTY === true && out === process.stdout && !process.env['NO_COLOR'],
  ) {
    this.width = Math.max(...services.map((name) => name.length), 3);
    services.forEach((name, index) => {
      this.files.set(name, createWriteStream(serviceLogFile(runDir, name), { flags: 'a' }));
      if (colour) this.colours.set(name, PALETTE[index % PALETTE.length] ?? 0);
    });
  }

  /** A line a service wrote: kept on disk when it is a JSON log line, printed readably (as `npm run logs` does) either way. */
  line(service: string, text: string, stream: 'stdout' | 'stderr'): void {
    const paint = (padded: string) => {
      const colour = this.colours.get(service);
      return colour === undefined ? padded : `\x1b[${colour}m${padded}\x1b[0m`;
    };
    const record = stream === 'stdout' ? parseRecord(text) : undefined;
    if (!record) {
      this.out.write(`${paint(service.padEnd(this.width))} ${stream === 'stderr' ? '!' : ' '} ${text}\n`);
      return;
    }
    this.files.get(service)?.write(`${text}\n`);
    const entry = { text, record, time: timeOf(record) ?? Date.now(), source: { label: service, service } };
    this.out.write(`${formatEntry(entry, this.width, paint)}\n`);
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
