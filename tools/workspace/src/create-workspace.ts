import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { QueuedAdapter } from '@yeoman/adapter';
import { createEnv } from 'yeoman-environment';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { WorkspaceGenerator, type CreatedWorkspace, type WorkspaceOptions } from './generator';
import type { CreateWorkspaceArgs } from './options';
import { StepList, type Output } from './progress';
import { Staging } from './staging';

export const GENERATOR_NAMESPACE = 'musiccorp:workspace';
/** How long an interrupted run may take to unwind (npm stops within it) before the staging folder is removed anyway. */
const INTERRUPT_GRACE_MS = 5_000;

export class InterruptedError extends Error {
  override name = 'InterruptedError';
  constructor(signal: NodeJS.Signals) {
    super(`Interrupted (${signal}).`);
  }
}

export interface CreateWorkspaceIo {
  out: Output;
  /** Prompt for missing options: true in a terminal. */
  interactive: boolean;
  platformRoot?: string;
}

/**
 * Runs the workspace generator in a yeoman environment, then moves the finished workspace into place. On any failure
 * — a refused option, a failed install, Ctrl-C — the staging folder is removed, so the target is left as it was.
 */
export async function createWorkspace(args: CreateWorkspaceArgs, io: CreateWorkspaceIo): Promise<CreatedWorkspace> {
  const abort = new AbortController();
  const steps = new StepList(io.out);
  const result: CreatedWorkspace = {};
  let staging: Staging | undefined;
  // The abort cancels the install and unwinds the run, whose `finally` removes the staging folder. A step that does
  // not notice (a prompt, a synchronous write) is not waited for: the folder is removed and the process exits.
  const interrupt = (signal: NodeJS.Signals) => {
    abort.abort(new InterruptedError(signal));
    setTimeout(() => {
      staging?.remove();
      process.stderr.write(`\ncreate-workspace: ${signal}: nothing was created, the temporary folder was removed.\n`);
      process.exit(130);
    }, INTERRUPT_GRACE_MS);
  };
  process.on('SIGINT', interrupt).on('SIGTERM', interrupt);
  try {
    const env = createEnv({ skipInstall: true, adapter: quietAdapter() });
    env.register(WorkspaceGenerator, { namespace: GENERATOR_NAMESPACE });
    const options: WorkspaceOptions = {
      args,
      platformRoot: io.platformRoot ?? WORKSPACE_ROOT,
      interactive: io.interactive,
      steps,
      signal: abort.signal,
      openStaging: (target) => (staging = Staging.beside(target)).path,
      result,
    };
    const generator = await env.create(GENERATOR_NAMESPACE, { generatorArgs: [], generatorOptions: options as object });
    await env.runGenerator(generator);
    abort.signal.throwIfAborted();
    const finished = staging as Staging | undefined;
    if (!finished) throw new Error('The workspace generator finished without creating a workspace.');
    await steps.run(`Move into ${finished.target}`, () => finished.promote());
    staging = undefined;
    return result;
  } catch (error) {
    throw abort.signal.aborted ? abort.signal.reason : error;
  } finally {
    process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
    staging?.remove();
  }
}

/** yeoman logs every file it writes (to stderr); the step list says what happens instead. Prompts use stdin/stdout. */
function quietAdapter(): QueuedAdapter {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() }) as unknown as NodeJS.WriteStream;
  return new QueuedAdapter({ stderr: sink, console: new Console(sink, sink) });
}
