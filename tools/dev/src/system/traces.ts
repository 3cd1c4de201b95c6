/** A request's trace from the latest `npm run dev` run (tools/logs, in-process), once it holds what the caller awaits. */
import { main as trace } from '@musiccorp/logs/trace-command';
import type { Trace, TraceNode } from '@musiccorp/logs/trace';

export const flattenTrace = (nodes: readonly TraceNode[]): TraceNode[] =>
  nodes.flatMap((node) => [node, ...flattenTrace(node.children)]);

/** `npm run trace -- <id> --json` of the workspace at `root`; undefined while no line carries the id. */
export async function traceOf(root: string, correlationId: string): Promise<Trace | undefined> {
  let json = '';
  const code = await trace(
    [correlationId, '--json'],
    { write: (text: string) => (json += text) },
    { write: () => true },
    { root },
  );
  return code === 0 ? (JSON.parse(json) as Trace) : undefined;
}

/**
 * The trace once `done` holds for its nodes — hops arrive after the answer (an event's consumer runs later, lines
 * reach the run's files as they are written) — or as it is after `timeoutMs` (a bound on waiting, not a timing).
 */
export async function waitForTrace(
  root: string,
  correlationId: string,
  done: (nodes: TraceNode[]) => boolean,
  timeoutMs = 30_000,
): Promise<Trace | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const current = await traceOf(root, correlationId);
    if ((current && done(flattenTrace(current.roots))) || Date.now() > deadline) return current;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
