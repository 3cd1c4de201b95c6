// Platform-owned: where log lines are written. Changes come from templates/service on upgrade, not by hand.
import { writeSync } from 'node:fs';

export interface LogDestinationOptions {
  /** File descriptor the lines go to. */
  fd: number;
  /**
   * Bytes of unwritten lines held at most (plus the one line being logged). Reached only while the fd accepts less
   * than is logged; it bounds memory, and what a kill -9 can lose then.
   */
  maxBufferBytes: number;
  /** How long a full buffer, or a flush before exit, waits for the fd to accept any byte before giving up. */
  flushTimeoutMs: number;
}

/** What a flush could not write. */
export interface Unwritten {
  lines: number;
  bytes: number;
  /** How long the fd had accepted nothing when the flush gave up: flushTimeoutMs. */
  stalledMs: number;
}

/**
 * Lines are written at the end of the event-loop turn that logged them (one write for the whole turn), or as soon as
 * this many bytes wait: so while the fd keeps up, a kill -9 loses less than this many bytes of the latest lines.
 * Also the size of the chunks lines are encoded into.
 */
export const BATCH_BYTES = 64 * 1024;
/** While the fd answers EAGAIN (its reader is behind), how often writing is tried again. */
const RETRY_MS = 10;
/** Written chunks kept for the next lines, so a steady load allocates none. */
const SPARE_CHUNKS = 2;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/** Encoded lines; bytes from `start` to `end` are not written yet. */
interface Chunk {
  bytes: Buffer;
  start: number;
  end: number;
}

/**
 * A pino destination with bounded memory that never loses a line silently. Each line is encoded into a chunk at once
 * (so its string dies young), and written synchronously without blocking (the fd must be in O_NONBLOCK mode, see
 * stdoutDestination): there is never a write in flight on another thread, so a flush before exit writes everything
 * in order, and a reader that stops reading can never hang the process or its exit. When the buffer is full, logging
 * waits for the reader (backpressure: the service slows to the pace its logs are read at); only once the fd has
 * accepted nothing for flushTimeoutMs are new lines dropped, counted in droppedLines, until it accepts bytes again.
 */
export class LogDestination {
  /** Lines given up on: dropped while the fd accepted nothing, or when it failed (EPIPE, EBADF). */
  droppedLines = 0;
  /** Oldest first; lines are appended to the last. */
  private chunks: Chunk[] = [];
  private readonly spare: Buffer[] = [];
  private buffered = 0;
  /** The last write did not take everything: the reader is behind, so retry on a timer, not at once. */
  private fdBusy = false;
  private scheduled = false;
  /** The last wait for the fd timed out: lines that do not fit are dropped at once, without waiting again. */
  private stalled = false;

  constructor(private readonly options: LogDestinationOptions) {}

  write(line: string): void {
    const bytes = Buffer.byteLength(line);
    if (this.buffered > 0 && this.buffered + bytes > this.options.maxBufferBytes && !this.makeRoom(bytes)) {
      this.droppedLines += 1;
      return;
    }
    let chunk = this.chunks.at(-1);
    if (!chunk || chunk.bytes.length - chunk.end < bytes) {
      chunk = { bytes: this.chunkOf(bytes), start: 0, end: 0 };
      this.chunks.push(chunk);
    }
    chunk.end += chunk.bytes.write(line, chunk.end);
    this.buffered += bytes;
    if (this.buffered >= BATCH_BYTES && !this.fdBusy) this.writeOut();
    this.schedule();
  }

  /** Writes every buffered line, waiting while the fd accepts bytes; returns what it could not write, if anything. */
  flushSync(): Unwritten | undefined {
    if (this.waitForFd(() => this.buffered === 0)) return undefined;
    return { lines: this.bufferedLines(), bytes: this.buffered, stalledMs: this.options.flushTimeoutMs };
  }

  bufferedBytes(): number {
    return this.buffered;
  }

  bufferedLines(): number {
    return this.chunks.reduce((lines, chunk) => lines + countLines(chunk.bytes.subarray(chunk.start, chunk.end)), 0);
  }

  /** Backpressure: blocks until the line fits, unless the fd has stalled (one try then, which ends the stall if it takes bytes). */
  private makeRoom(bytes: number): boolean {
    if (this.stalled) this.writeOut();
    if (this.stalled) return false;
    const fits = this.waitForFd(() => this.buffered + bytes <= this.options.maxBufferBytes);
    this.stalled = !fits;
    return fits;
  }

  /** Writes until `done()`; false once the fd has accepted nothing for flushTimeoutMs. */
  private waitForFd(done: () => boolean): boolean {
    let progressAt = performance.now();
    for (;;) {
      if (this.writeOut() > 0) progressAt = performance.now();
      if (done()) return true;
      if (performance.now() - progressAt >= this.options.flushTimeoutMs) return false;
      Atomics.wait(sleepCell, 0, 0, 1);
    }
  }

  /** Writes what the fd takes without blocking; returns the bytes written. */
  private writeOut(): number {
    let written = 0;
    for (let chunk = this.chunks[0]; chunk; chunk = this.chunks[0]) {
      if (chunk.start < chunk.end) {
        let count: number;
        try {
          count = writeSync(this.options.fd, chunk.bytes, chunk.start, chunk.end - chunk.start);
        } catch (error) {
          if (isBusy(error)) this.fdBusy = true;
          else this.dropBuffered();
          return written;
        }
        chunk.start += count;
        this.buffered -= count;
        written += count;
        if (count > 0) this.stalled = false;
        if (chunk.start < chunk.end) {
          this.fdBusy = true;
          return written;
        }
      }
      if (this.chunks.length === 1) {
        // The chunk lines are appended to: refilled from its start.
        chunk.start = chunk.end = 0;
        break;
      }
      this.chunks.shift();
      this.recycle(chunk.bytes);
    }
    this.fdBusy = false;
    return written;
  }

  /** The fd cannot take lines at all: what waits is counted as dropped rather than kept forever. */
  private dropBuffered(): void {
    this.droppedLines += this.bufferedLines();
    for (const chunk of this.chunks) this.recycle(chunk.bytes);
    this.chunks = [];
    this.buffered = 0;
  }

  private chunkOf(bytes: number): Buffer {
    return (bytes <= BATCH_BYTES && this.spare.pop()) || Buffer.allocUnsafeSlow(Math.max(BATCH_BYTES, bytes));
  }

  private recycle(bytes: Buffer): void {
    if (bytes.length === BATCH_BYTES && this.spare.length < SPARE_CHUNKS) this.spare.push(bytes);
  }

  private schedule(): void {
    if (this.scheduled || this.buffered === 0) return;
    this.scheduled = true;
    // Unref'd: a stalled reader must not keep an otherwise finished process alive.
    if (this.fdBusy) setTimeout(this.onSchedule, RETRY_MS).unref();
    else setImmediate(this.onSchedule);
  }

  private readonly onSchedule = (): void => {
    this.scheduled = false;
    this.writeOut();
    this.schedule();
  };
}

function isBusy(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK' || code === 'EBUSY';
}

function countLines(bytes: Buffer): number {
  let lines = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) lines += 1;
  return lines;
}
