/**
 * `--name=value` / `--name value` flag parsing for the benchmarks: every flag is declared with a default, unknown
 * flags and bad values are errors (exit 2 with usage), `--help` prints usage.
 */

export type FlagSpec =
  | { kind: 'number'; default: number; min?: number; integer?: boolean; help: string }
  | { kind: 'choice'; default: string; choices: readonly string[]; help: string }
  | { kind: 'string'; default: string; pattern: RegExp; help: string };

export type FlagValues<S extends Record<string, FlagSpec>> = {
  [K in keyof S]: S[K] extends { kind: 'number' } ? number : string;
};

/** A whole-number flag of at least `min`: runs, services, seconds. */
export function countFlag(defaultValue: number, help: string, min = 1): Extract<FlagSpec, { kind: 'number' }> {
  return { kind: 'number', default: defaultValue, min, integer: true, help };
}

/** The `--out` flag of a benchmark that writes its results to bench/results/<out>.md and .json. */
export function resultsFileFlag(defaultName: string): Extract<FlagSpec, { kind: 'string' }> {
  return {
    kind: 'string',
    default: defaultName,
    pattern: /^[\w.-]+$/,
    help: 'results file name: bench/results/<out>.md and .json',
  };
}

export function parseFlags<S extends Record<string, FlagSpec>>(
  command: string,
  spec: S,
  argv: readonly string[] = process.argv.slice(2),
): FlagValues<S> {
  const values: Record<string, number | string> = {};
  for (const [name, flag] of Object.entries(spec)) values[name] = flag.default;

  // A declaration, not an arrow in a const: TypeScript narrows after a call only to a declared `never` function.
  function fail(message: string): never {
    process.stderr.write(`${message}\n\n${usage(command, spec)}`);
    process.exit(2);
  }

  const args = argv[Symbol.iterator]();
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(usage(command, spec));
      process.exit(0);
    }
    const match = /^--([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(arg);
    const [, name, inlineValue] = match ?? [];
    if (name === undefined) fail(`Unexpected argument "${arg}".`); // the name is the one group every match has
    const flag = spec[name];
    if (!flag) fail(`Unknown flag --${name}.`);
    // `--name=value`, else `--name value`.
    const raw = inlineValue ?? args.next().value ?? fail(`--${name} needs a value.`);
    if (flag.kind === 'number') {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) fail(`--${name} must be a number (got "${raw}").`);
      if (flag.integer && !Number.isInteger(value)) fail(`--${name} must be an integer (got "${raw}").`);
      if (flag.min !== undefined && value < flag.min) fail(`--${name} must be at least ${flag.min} (got "${raw}").`);
      values[name] = value;
    } else if (flag.kind === 'string') {
      if (!flag.pattern.test(raw)) fail(`--${name} must match ${flag.pattern} (got "${raw}").`);
      values[name] = raw;
    } else {
      if (!flag.choices.includes(raw)) fail(`--${name} must be one of ${flag.choices.join(', ')} (got "${raw}").`);
      values[name] = raw;
    }
  }
  return values as FlagValues<S>;
}

function usage(command: string, spec: Record<string, FlagSpec>): string {
  const entries = Object.entries(spec).map(([name, flag]) => {
    const value = flag.kind === 'number' ? '<n>' : flag.kind === 'choice' ? `<${flag.choices.join('|')}>` : '<name>';
    return [`--${name}=${value}`, `${flag.help} [default: ${flag.default}]`] as const;
  });
  const width = Math.max(...entries.map(([left]) => left.length));
  return `Usage: ${command} [flags]\n\nFlags:\n${entries.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n')}\n`;
}

/** Runs a benchmark's main as this process: a failure is printed with its stack, exit 1. */
export function runBenchmark(name: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(
      `\nbench:${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
