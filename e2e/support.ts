/** What the e2e specs share: a clean environment for the Nx runs they start, and commands in a scratch workspace. */
import { expect } from 'vitest';
import type { ScratchWorkspace } from '@musiccorp/core/scratch-workspace';

/**
 * When a spec runs as an Nx task (`nx run e2e:e2e`), the outer run's task variables must not reach the Nx runs it
 * starts in another workspace: they would think they are that outer task.
 */
export function forgetOuterNxTask(): void {
  for (const key of Object.keys(process.env)) {
    if (/^NX_(TASK_|TERMINAL_|STREAM_OUTPUT|PREFIX_OUTPUT|WORKSPACE_ROOT)/.test(key) || key === 'LERNA_PACKAGE_NAME')
      delete process.env[key];
  }
}

/**
 * Commands in a scratch workspace with plain output: `run` never rejects (exit code + stdout and stderr); `succeeds`
 * and `fails` also assert the exit code, showing the command's output when it is not the expected one.
 */
export function scratchCommands(workspace: () => ScratchWorkspace) {
  const run = (command: string, args: string[]) =>
    workspace().attempt(command, args, { env: { FORCE_COLOR: '0', NX_TUI: 'false' } });
  return {
    run,
    async succeeds(command: string, ...args: string[]): Promise<string> {
      const { exitCode, output } = await run(command, args);
      expect(exitCode, `${command} ${args.join(' ')}\n${output}`).toBe(0);
      return output;
    },
    async fails(command: string, ...args: string[]): Promise<string> {
      const { exitCode, output } = await run(command, args);
      expect(exitCode, `${command} ${args.join(' ')} should fail\n${output}`).not.toBe(0);
      return output;
    },
  };
}
