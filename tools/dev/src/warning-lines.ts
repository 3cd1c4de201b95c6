/**
 * The lines of `npm test`'s output that are warnings: npm test fails on any, so a warning is fixed at its cause the
 * day it appears instead of scrolling past among thousands of lines. Lines arrive as Nx streams them, maybe
 * prefixed with the project (`core: `) and coloured (a replayed cache entry keeps its colours).
 */
import { stripVTControlCharacters } from 'node:util';

/** An optional Nx task prefix: `catalog: `. */
const PREFIX = String.raw`^(?:[\w@./-]+: )?`;

const WARNINGS = [
  /\(node:\d+\) (?:\[\w+\] )?\w*Warning\b/, // (node:123) ExperimentalWarning: …, (node:123) [DEP0040] DeprecationWarning: …
  /\bWarning:/, // Warning: …, (node) Warning: …
  /\bWARN\b/, // NX   WARN …, [WARN] …
  new RegExp(`${PREFIX}npm warn\\b`, 'i'), // npm warn install-scripts …
  new RegExp(`${PREFIX}\\s*\\d+:\\d+\\s+warning\\s`), // eslint:   12:5  warning  'x' is assigned a value but never used
  /\bwarnings?\b/i, // anything else that says it is one: (Use `node --trace-warnings ...` …), ⚠ warning …
];

const NOT_WARNINGS = [
  // vitest's line for one test: its name may say "warning" (`✓ … leaves them out (with a warning)`).
  new RegExp(`${PREFIX}\\s*[✓✔×✗↓]\\s`),
  // eslint's counts are a warning only when they count some: `✖ 2 problems (2 errors, 0 warnings)`.
  /\b0 warnings\b/,
  // Nx's line for a task that failed: a failure, which fails the run already, not a warning.
  /\bWarning: command ".*" exited with non-zero status code$/,
];

/** The warning lines of `output`, colours stripped, in order. */
export function warningLines(output: string): string[] {
  return stripVTControlCharacters(output)
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => WARNINGS.some((warning) => warning.test(line)) && !NOT_WARNINGS.some((not) => not.test(line)));
}
