/**
 * `npm test`: formatting of the whole workspace, then every project's lint, typecheck, unit tests and e2e tests
 * through Nx (cached per project), then one closing line `Tests: N passed, N failed` summed from each vitest run's
 * own summary.
 */
import { execa } from 'execa';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { summarizeVitest } from './vitest-summary';

const TARGETS = ['lint', 'typecheck', 'test', 'e2e'];
// Plain output for logs. Nx 22's bin/nx.js turns FORCE_COLOR=0 into NO_COLOR=1 (a picocolors workaround), then gives
// each task FORCE_COLOR=true as none is set, so Node in the tasks warns that NO_COLOR is ignored: noise, left, as forcing
// colours on instead would reach every spec's child processes and the text they compare.
const options = { cwd: WORKSPACE_ROOT, env: { NX_DAEMON: 'false', FORCE_COLOR: '0', NX_TUI: 'false' }, reject: false };

console.log('prettier --check . (fix with: npx prettier --write .)');
const format = await execa('npx', ['prettier', '--check', '--log-level=warn', '.'], { ...options, stdio: 'inherit' });

const run = execa(
  'npx',
  ['nx', 'run-many', '-t', ...TARGETS, '--output-style=stream', '--parallel=2', ...process.argv.slice(2)],
  { ...options, all: true },
);
run.all?.pipe(process.stdout);
const result = await run;

const totals = summarizeVitest(result.all ?? '');
console.log(
  `\nTests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
);
process.exitCode = format.exitCode === 0 && result.exitCode === 0 && totals.failed === 0 ? 0 : 1;
