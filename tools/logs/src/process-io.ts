/** What the CLIs need of their process: stdin when piped, Ctrl-C as a signal, quiet when `| head` stops reading. */
import { fstatSync } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * stdin, when a shell pipes or redirects something into it (a FIFO or a file); not a terminal, and not the socket a
 * Node parent process hands its child by default, which may never close.
 */
export function pipedStdin(): Readable | undefined {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isFile() ? process.stdin : undefined;
  } catch {
    return undefined;
  }
}

/** Aborted on the first SIGINT (Ctrl-C): the command stops reading, writes what it has and its summary. */
export function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  return controller.signal;
}

/** `npm run logs | head`: once the reader is gone, stop without a stack trace. */
export function quietOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}
