/**
 * Output written in batches (one write per ~64 KiB, not one per line), waiting for 'drain' when a stream asks to:
 * a slow reader (`| less`) makes the scan wait instead of piling output up in memory.
 */
import { once } from 'node:events';
import type { Output } from '@musiccorp/core/cli';

const BATCH_CHARACTERS = 64 * 1024;

export class BatchedOutput {
  private pending: string[] = [];
  private pendingCharacters = 0;

  constructor(private readonly out: Output) {}

  /** Adds one line (its line break added). */
  add(text: string): void {
    this.pending.push(text);
    this.pendingCharacters += text.length + 1;
  }

  /** Writes the batch once it is large enough: call after adding a batch of lines. */
  async flushIfFull(): Promise<void> {
    if (this.pendingCharacters >= BATCH_CHARACTERS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    this.pendingCharacters = 0;
    if (this.out.write(text) === false && isEmitter(this.out)) await once(this.out, 'drain');
  }
}

function isEmitter(out: Output): out is Output & NodeJS.EventEmitter {
  return typeof (out as Partial<NodeJS.EventEmitter>).once === 'function';
}
