/**
 * The command line of every platform CLI: flags, positionals, `--help`, and usage errors that say what was wrong, then
 * the usage (exit 2). `util.parseArgs` splits the arguments into tokens; the checks and their messages are ours, as
 * parseArgs itself lets a repeated flag silently win and names no alternative to an unknown one.
 */
import { parseArgs } from 'node:util';

/** A problem the user fixes by changing the command line or the checkout; the message names the fix. CLIs exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Where a CLI writes: process.stdout / process.stderr, or a string buffer in a test. */
export interface Output {
  write(text: string): unknown;
}

/**
 * `--name=value` or `--name value` (never empty: an empty value is usually an unset CI variable); a boolean is `--name`,
 * and `--no-name` too when negatable. A flag is given at most once, unless `multiple`: then its values are a list
 * (`--service=a --service=b`), empty when it is not given.
 */
export type Flag =
  | { readonly type: 'string'; readonly default?: string; readonly multiple?: false }
  | { readonly type: 'string'; readonly multiple: true }
  | { readonly type: 'boolean'; readonly default?: boolean; readonly negatable?: boolean };

export type Flags = Readonly<Record<string, Flag>>;

export type FlagValues<F extends Flags> = {
  -readonly [K in keyof F]: F[K] extends { type: 'boolean' }
    ? boolean
    : F[K] extends { multiple: true }
      ? string[]
      : F[K] extends { default: string }
        ? string
        : string | undefined;
};

export interface CommandLineSpec<F extends Flags> {
  /** Starts every message the command prints about its command line: `pipeline: …`. */
  name: string;
  /** The synopsis, without `Usage:`; one line per form (`owners check …`, `owners who …`). */
  usage: string | readonly string[];
  /** What --help prints after the usage: what the command does, its flags, its exit codes. */
  help?: string;
  flags: F;
  /** How many positional arguments, and what they are ("one service"); default: none. */
  positionals?: { expected: string; min?: number; max?: number };
}

export interface CommandLineArgs<F extends Flags> {
  flags: FlagValues<F>;
  positionals: string[];
}

/** What a CommandLine parses to: `ArgsOf<typeof OWNERS>`. */
export type ArgsOf<C> = C extends CommandLine<infer F> ? CommandLineArgs<F> : never;

/** A CLI's command line, declared once: it parses, prints --help, and turns usage errors into exit 2. */
export class CommandLine<const F extends Flags> {
  /** `Usage: …`: printed by --help and after every usage error. */
  readonly usage: string;
  /** What --help prints. */
  readonly help: string;

  constructor(private readonly spec: CommandLineSpec<F>) {
    if ('help' in spec.flags) throw new Error(`${spec.name}: --help is every command's own; declare no flag "help".`);
    const lines = typeof spec.usage === 'string' ? [spec.usage] : spec.usage;
    this.usage = lines.length === 1 ? `Usage: ${lines[0]}` : `Usage:\n${lines.map((line) => `  ${line}`).join('\n')}`;
    this.help = spec.help ? `${this.usage}\n\n${spec.help}` : this.usage;
  }

  /** A usage error: what was wrong, then the usage. */
  refuse(what: string): UsageError {
    return new UsageError(`${what}\n\n${this.usage}${this.spec.help ? '\n(--help explains every option)' : ''}`);
  }

  /** The flags and positionals of `argv`, or `{ help: true }` when it asks for help; a UsageError when it is wrong. */
  parse(argv: readonly string[]): { help: true } | ({ help: false } & CommandLineArgs<F>) {
    const { tokens } = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(Object.entries(this.spec.flags).map(([name, flag]) => [name, { type: flag.type }])),
        help: { type: 'boolean', short: 'h' },
      },
      strict: false,
      allowPositionals: true,
      allowNegative: true,
      tokens: true,
    });
    if (tokens.some((token) => token.kind === 'option' && token.name === 'help')) return { help: true };

    const values: Record<string, string | string[] | boolean | undefined> = Object.fromEntries(
      Object.entries(this.spec.flags).map(([name, flag]) => [
        name,
        'multiple' in flag && flag.multiple ? [] : (flag.default ?? (flag.type === 'boolean' ? false : undefined)),
      ]),
    );
    const given = new Map<string, string[]>();
    const positionals: string[] = [];
    for (const token of tokens) {
      if (token.kind === 'positional') positionals.push(token.value);
      if (token.kind !== 'option') continue;
      const written = token.value === undefined ? token.rawName : `${token.rawName}=${token.value}`;
      const flag = Object.hasOwn(this.spec.flags, token.name) ? this.spec.flags[token.name] : undefined;
      if (!flag) throw this.refuse(this.unknown(token.rawName));
      const negated = token.rawName === `--no-${token.name}`;
      if (negated && !(flag.type === 'boolean' && flag.negatable))
        throw this.refuse(`--${token.name} has no negative form ${token.rawName}: leave the flag out.`);
      const forms = [...(given.get(token.name) ?? []), written];
      given.set(token.name, forms);
      const multiple = 'multiple' in flag && flag.multiple === true;
      if (forms.length > 1 && !multiple)
        throw this.refuse(`--${token.name} is given more than once (${forms.join(', ')}): give it once.`);
      if (flag.type === 'boolean') {
        if (token.value !== undefined) throw this.refuse(`--${token.name} takes no value (got ${written}).`);
        values[token.name] = !negated;
        continue;
      }
      if (token.value === undefined) throw this.refuse(`--${token.name} needs a value: --${token.name}=<value>.`);
      if (!token.inlineValue && token.value.startsWith('-'))
        throw this.refuse(`--${token.name} needs a value, not the option ${token.value}.`);
      if (token.value.trim() === '')
        throw this.refuse(`--${token.name} is empty (an unset CI variable?): give it a value, or leave the flag out.`);
      values[token.name] = multiple ? [...(values[token.name] as string[]), token.value] : token.value;
    }

    const {
      expected = 'no arguments',
      min = 0,
      max = this.spec.positionals ? Infinity : 0,
    } = this.spec.positionals ?? {};
    if (positionals.length < min || positionals.length > max)
      throw this.refuse(
        `Expected ${expected}, got ${positionals.length === 0 ? 'none' : `${positionals.length}: ${positionals.join(' ')}`}.`,
      );
    return { help: false, flags: values as FlagValues<F>, positionals };
  }

  /**
   * Runs a command: --help prints the help on `out` (exit 0); a UsageError, from the command line or from `body`, is
   * printed on `err` (exit 2). Any other error is the body's to handle, or a crash.
   */
  async run(
    argv: readonly string[],
    io: { out: Output; err: Output },
    body: (args: CommandLineArgs<F>) => number | Promise<number>,
  ): Promise<number> {
    try {
      const parsed = this.parse(argv);
      if (parsed.help) {
        io.out.write(`${this.help}\n`);
        return 0;
      }
      return await body(parsed);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.err.write(`${this.spec.name}: ${error.message}\n`);
      return 2;
    }
  }

  /**
   * A CLI's `main(argv, out, err, ...extra)`: `run` on process.stdout and process.stderr, or on the buffers a test
   * passes. `extra` are the command's own parameters (a workspace root, an environment), which `body` defaults.
   */
  main<Extra extends unknown[] = []>(
    body: (args: CommandLineArgs<F>, io: { out: Output; err: Output }, ...extra: Extra) => number | Promise<number>,
  ): (argv: readonly string[], out?: Output, err?: Output, ...extra: Extra) => Promise<number> {
    return (argv, out = process.stdout, err = process.stderr, ...extra) =>
      this.run(argv, { out, err }, (args) => body(args, { out, err }, ...extra));
  }

  /** `Unknown option '--tema'.`, naming the nearest known flag when one is close. */
  private unknown(rawName: string): string {
    const typed = rawName.replace(/^--?/, '');
    const known = Object.entries(this.spec.flags).flatMap(([name, flag]) =>
      flag.type === 'boolean' && flag.negatable ? [name, `no-${name}`] : [name],
    );
    const nearest = rawName.startsWith('--') ? nearestName(typed, [...known, 'help']) : undefined;
    return `Unknown option '${rawName}'.${nearest ? ` Did you mean --${nearest}?` : ''}`;
  }
}

/**
 * Runs a CLI's main as this process: what it returns is the exit code. A crash (an error main did not handle) is
 * printed with its stack, exit 1.
 */
export function runMain(name: string, main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** The known name a typo most likely meant: a prefix of it (`--app` → approve), or a few edits away; else none. */
function nearestName(typed: string, known: readonly string[]): string | undefined {
  const prefixed = known.filter((name) => name.startsWith(typed));
  if (prefixed.length === 1) return prefixed[0];
  const tolerance = Math.max(2, Math.floor(typed.length / 3));
  const [best] = known
    .map((name) => ({ name, distance: editDistance(typed, name) }))
    .filter(({ distance }) => distance <= tolerance)
    .sort((a, b) => a.distance - b.distance);
  return best?.name;
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
  // rows[i][j]: the edits between the first i characters of a and the first j of b.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [];
    const above = rows[i - 1] ?? [];
    for (let j = 0; j <= b.length; j++) {
      if (i === 0 || j === 0) {
        row.push(i + j);
        continue;
      }
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      row.push(distance);
    }
    rows.push(row);
  }
  return rows[a.length]?.[b.length] ?? 0;
}
