/**
 * Reads `nx run-many --output-style=stream` output line by line: when each task starts (`> nx run <project>:<target>`,
 * with `[local cache]` and the like when its output is restored), which lines belong to which project (Nx prefixes
 * them `<project>: `), and, in the closing summary, which tasks failed.
 */
import { stripVTControlCharacters } from 'node:util';

export type NxEvent =
  | { kind: 'start'; project: string; target: string; cached: boolean }
  | { kind: 'output'; project: string; text: string }
  | { kind: 'failed'; project: string; target: string };

const TASK_START =
  /^> nx run ([^:\s]+):(\S+?)(?::\S+)?(\s+\[(?:local cache|remote cache|existing outputs match the cache, left as is)\])?\s*$/;
const PROJECT_LINE = /^([a-z0-9][a-z0-9-]*): (.*)$/;
const SUMMARY_ITEM = /^- ([^:\s]+):(\S+)$/;

export class NxOutputReader {
  private inFailedList = false;

  /** The events one line of Nx's output holds (none for Nx's own decoration). */
  read(raw: string): NxEvent[] {
    const line = stripVTControlCharacters(raw).trimEnd();
    if (line === 'Failed tasks:') {
      this.inFailedList = true;
      return [];
    }
    const item = SUMMARY_ITEM.exec(line);
    if (item && this.inFailedList) return [{ kind: 'failed', project: item[1] ?? '', target: item[2] ?? '' }];
    if (line !== '' && !item) this.inFailedList = false;
    const start = TASK_START.exec(line);
    if (start)
      return [{ kind: 'start', project: start[1] ?? '', target: start[2] ?? '', cached: start[3] !== undefined }];
    const output = PROJECT_LINE.exec(line);
    if (output) return [{ kind: 'output', project: output[1] ?? '', text: output[2] ?? '' }];
    return [];
  }
}
