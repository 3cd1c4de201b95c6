import { describe, expect, it } from 'vitest';
import { warningLines } from './warning-lines';

describe('warningLines', () => {
  it.each([
    // Node: a warning as Node prints it, and its hint line (today's, from an Nx run-many of many tasks)
    '(node:48213) MaxListenersExceededWarning: Possible EventEmitter memory leak detected. 11 exit listeners added to [process]. MaxListeners is 10. Use emitter.setMaxListeners() to increase limit',
    '(Use `node --trace-warnings ...` to show where the warning was created)',
    'catalog: (node:977) [DEP0040] DeprecationWarning: The `punycode` module is deprecated.',
    "catalog: (node:977) Warning: Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections insecure.",
    // npm 11 on today's npm ci
    'npm warn install-scripts   esbuild@0.27.7 (postinstall: node install.js)',
    'npm warn EBADENGINE Unsupported engine {',
    // eslint, from today's lint of tools/pipeline and tools/contract (replayed from Nx's cache, coloured)
    '\u001b[0m  \u001b[2m133:23\u001b[22m  \u001b[33mwarning\u001b[39m  Forbidden non-null assertion  \u001b[2m@typescript-eslint/no-non-null-assertion\u001b[22m\u001b[0m',
    'contract:   16:28  warning  Unexpected any. Specify a different type  @typescript-eslint/no-explicit-any',
    '\u001b[0m\u001b[33m\u001b[1m✖ 5 problems (0 errors, 5 warnings)\u001b[22m\u001b[39m\u001b[0m',
    'contract: ✖ 4 problems (1 error, 3 warnings)',
    // Nx's and npm's forms
    ' NX   WARN  The cache entry of core:test could not be restored',
    '\u001b[33mnpm warn\u001b[39m deprecated glob@7.2.3: Glob versions prior to v9 are no longer supported',
  ])('%s is a warning line', (line) => {
    expect(warningLines(`before\n${line}\nafter\n`)).toHaveLength(1);
  });

  it.each([
    // vitest lines whose test names say "warning" (the first from today's npm test -- -p owners)
    'owners:      ✓ an unreadable contract is a warning: reviewers still answers from CODEOWNERS  669ms',
    'affected:    ✓ includes uncommitted changes without --head, and leaves them out (with a warning) with --head=HEAD  3105ms',
    '     ↓ includes uncommitted changes without --head, and leaves them out (with a warning) with --head=HEAD',
    // eslint's counts of errors only, and Nx's line for a failed task (both today's): failures, not warnings
    'core: ✖ 2 problems (2 errors, 0 warnings)',
    '1 error and 0 warnings potentially fixable with the `--fix` option.',
    'Warning: command "eslint ." exited with non-zero status code',
    'Warning: command "tsc -p tsconfig.json --noEmit" exited with non-zero status code',
    // ordinary lines of today's output
    ' NX   Successfully ran targets lint, typecheck, test, drift, e2e for 17 projects',
    'catalog:       Tests  241 passed (241)',
    '> nx run workspace:lint  [existing outputs match the cache, left as is]',
    'catalog: {"level":40,"time":1733150000000,"msg":"broker unreachable, retrying"}',
  ])('%s is not', (line) => {
    expect(warningLines(line)).toEqual([]);
  });

  it('lists the warning lines in order, colours stripped', () => {
    const output = [
      'core: ✓ src/cli.spec.ts (28 tests) 20ms',
      '\u001b[33mcore: (node:1) ExperimentalWarning: VM Modules is an experimental feature\u001b[39m',
      'core: Tests  28 passed (28)',
      'npm warn config production Use `--omit=dev` instead.',
    ].join('\n');
    expect(warningLines(output)).toEqual([
      'core: (node:1) ExperimentalWarning: VM Modules is an experimental feature',
      'npm warn config production Use `--omit=dev` instead.',
    ]);
  });
});
