/**
 * Which lines `npm run logs` and `npm run trace` read: the latest run's folder by default, `--run=<id|path>`, the
 * files (or folders) named on the command line, `-` for stdin, or stdin alone when something is piped in.
 */
import { existsSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import type { Readable } from 'node:stream';
import { UsageError } from '@musiccorp/core/cli';
import { logFilesIn, resolveRun, serviceOfLogFile } from './run-folder';

export interface InputSpec {
  /** The workspace root, whose `.musiccorp/runs` holds the runs. */
  root: string;
  run?: string | undefined;
  /** Files, folders, or `-`. */
  paths: readonly string[];
  /** What is piped in, if anything (see process-io.ts pipedStdin). */
  stdin?: Readable | undefined;
}

export interface LogFile {
  path: string;
  /** From its name, for a `.log` file: a run keeps each service's lines in `<service>.log`. */
  service: string | undefined;
}

export interface Inputs {
  files: LogFile[];
  stdin: Readable | undefined;
  /** The one folder read, where --follow also picks up the files of services that start later. */
  folder: string | undefined;
  /** For messages: `run 2026-12-02T13-05-09.123Z`, `2 files`, `stdin`. */
  description: string;
}

export function resolveInputs({ root, run, paths, stdin }: InputSpec): Inputs {
  if (run !== undefined && paths.length > 0) {
    throw new UsageError(`give --run or files, not both (got --run=${run} and ${paths.join(' ')}).`);
  }
  if (paths.length === 0 && run === undefined && stdin) {
    return { files: [], stdin, folder: undefined, description: 'stdin' };
  }
  if (paths.length === 0) {
    const folder = resolveRun(root, run);
    return { files: filesOf(folder), stdin: undefined, folder, description: `run ${relative(root, folder)}` };
  }
  const files: LogFile[] = [];
  const folders: string[] = [];
  let readsStdin = false;
  for (const path of paths) {
    if (path === '-') {
      if (!stdin) throw new UsageError('`-` reads stdin, but nothing is piped in: `npm run logs -- - < saved.log`.');
      readsStdin = true;
    } else if (!existsSync(path)) {
      throw new UsageError(`${path}: no such file or folder.`);
    } else if (statSync(path).isDirectory()) {
      folders.push(path);
      files.push(...filesOf(path));
    } else {
      files.push({ path, service: path.endsWith('.log') ? serviceOfLogFile(path) : undefined });
    }
  }
  const described = [
    ...(files.length > 0 ? [`${files.length} file${files.length === 1 ? '' : 's'}`] : []),
    ...(readsStdin ? ['stdin'] : []),
  ];
  return {
    files,
    stdin: readsStdin ? stdin : undefined,
    folder: folders.length === 1 && paths.length === 1 ? folders[0] : undefined,
    description: described.join(' and '),
  };
}

function filesOf(folder: string): LogFile[] {
  const files = logFilesIn(folder);
  if (files.length === 0) throw new UsageError(`${folder} has no .log files.`);
  return files.map((path) => ({ path, service: serviceOfLogFile(path) }));
}
