/**
 * `npm test`: formatting of the whole workspace, then every project's lint, typecheck, unit tests and e2e tests
 * through Nx (cached per project), then one closing line `Tests: N passed, N failed` summed from each vitest run's
 * own summary.
 */
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { WORKSPACE_ROOT } from './lib/scratch-workspace';
import { summarizeVitest } from './lib/vitest-summary';

const TARGETS = ['lint', 'typecheck', 'test', 'e2e'];

/**
 * Colours: on for a terminal, off otherwise (CI, a log file), unless the caller says so with FORCE_COLOR (which wins,
 * as in Node) or NO_COLOR. The children always get FORCE_COLOR=1 alone — never NO_COLOR — and when colours are off
 * this script strips them from what it relays. Nx 22 turns FORCE_COLOR=0 into NO_COLOR=1 for itself and then gives
 * every task FORCE_COLOR=true (nrwl/nx#35292), and it sets FORCE_COLOR=true when none is set; so any "off" switch
 * reached the tasks as both variables, and every Node process in them warned "The 'NO_COLOR' env is ignored due to
 * the 'FORCE_COLOR' env being set".
 */
const { FORCE_COLOR, NO_COLOR } = process.env;
const colour =
  FORCE_COLOR !== undefined ? !['0', 'false'].includes(FORCE_COLOR) : !NO_COLOR && Boolean(process.stdout.isTTY);
const options = {
  cwd: WORKSPACE_ROOT,
  env: { NX_DAEMON: 'false', NX_TUI: 'false', FORCE_COLOR: '1', NO_COLOR: undefined },
  reject: false,
  all: true,
} as const;

/**
 * Copies a child's output to ours, without colour codes when colours are off (a code split across chunks too);
 * resolves when all of it is out, so the closing summary line comes last.
 */
function relay(output: NodeJS.ReadableStream | undefined): Promise<void> {
  if (!output) return Promise.resolve();
  const done = (stream: NodeJS.ReadableStream) => new Promise<void>((resolve) => stream.once('end', () => resolve()));
  if (colour) {
    output.pipe(process.stdout, { end: false });
    return done(output);
  }
  const decoder = new StringDecoder('utf8');
  let held = '';
  const strip = (text: string): string => {
    // eslint-disable-next-line no-control-regex
    const partial = /\x1b(\[[0-9;?]*)?$/.exec(text);
    held = partial ? partial[0] : '';
    return stripVTControlCharacters(partial ? text.slice(0, partial.index) : text);
  };
  const stripper = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, strip(held + decoder.write(chunk)));
    },
    flush(done) {
      done(null, stripVTControlCharacters(held + decoder.end()));
    },
  });
  output.pipe(stripper).pipe(process.stdout, { end: false });
  return done(stripper);
}

console.log('prettier --check . (fix with: npx prettier --write .)');
const check = execa('npx', ['prettier', '--check', '--log-level=warn', '.'], options);
const [format] = await Promise.all([check, relay(check.all)]);

const run = execa(
  'npx',
  ['nx', 'run-many', '-t', ...TARGETS, '--output-style=stream', '--parallel=2', ...process.argv.slice(2)],
  options,
);
const [result] = await Promise.all([run, relay(run.all)]);

const totals = summarizeVitest(result.all ?? '');
console.log(
  `\nTests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
);
process.exitCode = format.exitCode === 0 && result.exitCode === 0 && totals.failed === 0 ? 0 : 1;
