/**
 * `npm test`: in a per-team workspace, first no unresolved conflict of `npm run platform-upgrade` in the files copied
 * from the platform (nothing else runs until they are resolved); then formatting of the whole workspace, then every
 * project's lint, typecheck, unit tests, drift check
 * (each service's platform-owned files as its recorded template commit rendered them) and e2e tests through Nx
 * (cached per project), then one closing line `Tests: N passed, N failed` summed from each vitest run's
 * own summary. A warning anywhere in that output fails it too, each warning line listed (warning-lines.ts).
 */
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { describeUnresolvedConflicts, unresolvedUpgradeConflicts } from '@musiccorp/core/workspace/conflicts';
import { summarizeVitest } from './vitest-summary';
import { warningLines } from './warning-lines';

const TARGETS = ['lint', 'typecheck', 'test', 'drift', 'e2e'];
// Plain output for logs. NO_COLOR turns colours off for Nx, vitest and every process they start; FORCE_COLOR is set
// too, to a value Node reads as "no colours", because Nx would otherwise hand each task FORCE_COLOR=true (making
// Node warn in every task that NO_COLOR is ignored) and would turn FORCE_COLOR=0 into exactly that (nx/bin/nx.js).
const options = {
  cwd: WORKSPACE_ROOT,
  env: { NX_DAEMON: 'false', NO_COLOR: '1', FORCE_COLOR: 'false', NX_TUI: 'false' },
  reject: false,
};

const conflicts = unresolvedUpgradeConflicts(WORKSPACE_ROOT);
if (conflicts.length > 0) {
  console.error(`${describeUnresolvedConflicts(conflicts)} Then npm test again: nothing else runs until then.`);
  process.exit(1);
}

console.log('prettier --check . (fix with: npx prettier --write .)');
const format = await execa('npx', ['prettier', '--check', '--log-level=warn', '.'], { ...options, stdio: 'inherit' });

// Nx's run-commands executor adds exit/SIGINT/SIGTERM/SIGHUP listeners to the Nx process for every task it runs
// and never removes them (nx/src/executors/run-commands/running-tasks.js), so a run of this many tasks prints four
// MaxListenersExceededWarnings about Nx itself: silenced in the Nx process only (a flag, not NODE_OPTIONS, so the
// tasks still warn about their own listeners).
const nx = createRequire(import.meta.url).resolve('nx/bin/nx.js');
const run = execa(
  'node',
  [
    '--disable-warning=MaxListenersExceededWarning',
    nx,
    'run-many',
    '-t',
    ...TARGETS,
    '--output-style=stream',
    '--parallel=2',
    ...process.argv.slice(2),
  ],
  { ...options, all: true },
);
/**
 * Lines printed by code outside this repository that say nothing about it, each with its cause: dropped from the
 * log (the summary still counts everything).
 * - Nx's createTreeWithEmptyWorkspace roots the generator specs' Tree at /virtual, which does not exist, and Nx's
 *   native project glob says so whenever a spec lists projects (rooting it at a real empty folder instead makes that
 *   glob hang).
 */
const UPSTREAM_NOISE = [/^(\S+: )?> NX workspace root does not exist: \/virtual$/];
const warnings: string[] = [];
if (run.all) {
  for await (const line of createInterface({ input: run.all, crlfDelay: Infinity })) {
    if (UPSTREAM_NOISE.some((noise) => noise.test(line))) continue;
    warnings.push(...warningLines(line));
    process.stdout.write(`${line}\n`);
  }
}
const result = await run;

const totals = summarizeVitest(result.all ?? '');
console.log(
  `\nTests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
);
if (warnings.length > 0) {
  console.error(
    [
      `\nnpm test failed: its output has ${warnings.length} warning line(s). Fix each at its cause (a line printed by code`,
      'outside this repository that says nothing about it goes into UPSTREAM_NOISE in tools/dev/src/test-all.ts, with',
      'its cause):',
      ...warnings.map((line) => `  ${line}`),
    ].join('\n'),
  );
}
process.exitCode =
  format.exitCode === 0 && result.exitCode === 0 && totals.failed === 0 && warnings.length === 0 ? 0 : 1;
