import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from '../command';

/** Runs the CLI in-process, capturing what it prints. */
export function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCaptured(main, args);
}
