import { describe, expect, it } from 'vitest';
import { NxOutputReader, type NxEvent } from './nx-output';

/** What `nx run-many -t deploy -p catalog,inventory --output-style=stream` printed, trimmed (a failing run). */
const OUTPUT = `
 NX   Running target deploy for 2 projects and 8 tasks they depend on:

- catalog
- inventory



> nx run catalog:lint

> nx run inventory:lint  [existing outputs match the cache, left as is]

inventory: \x1b[0m  \x1b[2m60:7\x1b[22m  \x1b[31merror\x1b[39m  'unused' is assigned a value but never used
> nx run catalog:build  [local cache]

> nx run catalog:artifact

catalog: musiccorp/catalog@sha256:f98e
> nx run catalog:build:production  [remote cache]



 NX   Running target deploy for 2 projects and 8 tasks they depend on failed

Tasks not run because their dependencies failed or --nx-bail=true:

- inventory:deploy
- inventory:perf

Failed tasks:

- inventory:lint

Hint: run the failed tasks again
- not:a-failure
`;

function read(text: string): NxEvent[] {
  const reader = new NxOutputReader();
  return text.split('\n').flatMap((line) => reader.read(line));
}

describe('reading Nx stream output', () => {
  it('sees each task start, restored ones marked as cached, and whose output each line is', () => {
    expect(read(OUTPUT)).toEqual([
      { kind: 'start', project: 'catalog', target: 'lint', cached: false },
      { kind: 'start', project: 'inventory', target: 'lint', cached: true },
      { kind: 'output', project: 'inventory', text: "  60:7  error  'unused' is assigned a value but never used" },
      { kind: 'start', project: 'catalog', target: 'build', cached: true },
      { kind: 'start', project: 'catalog', target: 'artifact', cached: false },
      { kind: 'output', project: 'catalog', text: 'musiccorp/catalog@sha256:f98e' },
      { kind: 'start', project: 'catalog', target: 'build', cached: true },
      { kind: 'failed', project: 'inventory', target: 'lint' },
    ]);
  });

  it('takes list items as failed tasks only under "Failed tasks:"', () => {
    expect(
      read('- catalog:lint\nFailed tasks:\n\n- a:b\n- c:d\nsomething else\n- e:f').filter((e) => e.kind === 'failed'),
    ).toEqual([
      { kind: 'failed', project: 'a', target: 'b' },
      { kind: 'failed', project: 'c', target: 'd' },
    ]);
  });
});
