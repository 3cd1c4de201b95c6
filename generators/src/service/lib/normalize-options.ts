import { getProjects, type Tree } from '@nx/devkit';
import type { Team } from '@musiccorp/core/teams';
import { findTeam } from '../../utils/teams';
import { listServices, SERVICES_DIR } from '@musiccorp/core/services';
import type { ServiceGeneratorSchema, ServiceOptions } from '../schema';
import { hasHiddenCharacters, quote } from '../../utils/quote';
import { nameProblem } from './validate-name';

export const FIRST_SERVICE_PORT = 3100;
export const MIN_PORT = 1024;
export const MAX_PORT = 65535;

export interface NormalizedOptions {
  name: string;
  team: Team;
  port: number;
  description: string;
  projectRoot: string;
}

/**
 * What a one-line description must not hold: control characters (newlines, VT, FF, ESC, DEL, C1), line and paragraph
 * separators, format characters but the zero-width joiner emoji sequences need (zero-width spaces, bidi overrides),
 * unassigned code points and lone surrogates.
 */
const NOT_PRINTABLE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cn}\p{Cs}]|(?!\u200d)\p{Cf}/u;

const OPTIONS = ['name', 'team', 'port', 'description'] as const;

/**
 * The options with one value each, as typed. Nx's command-line parser makes a number of anything that looks like one
 * (`--port=1e4` arrives as 10000, `3100.0` as 3100) and passes an option given twice as a list, so a value that
 * matches what `argv` holds for `--<option>` is taken back in its typed form, and a list is refused by name.
 */
export function singleOptions(schema: ServiceGeneratorSchema, argv: readonly string[]): ServiceOptions {
  const options: Record<string, unknown> = { ...schema };
  for (const option of OPTIONS) {
    const value = asTyped(schema[option], typedOnCommandLine(option, argv));
    if (Array.isArray(value)) {
      throw new Error(
        `--${option} is given ${value.length} times (${value.map((one) => quote(String(one))).join(', ')}); give it once.`,
      );
    }
    options[option] = option === 'port' || typeof value !== 'number' ? value : String(value);
  }
  return options as unknown as ServiceOptions;
}

/** The texts given for `--<option>` (`--port=3100` or `--port 3100`) before a `--`. */
function typedOnCommandLine(option: string, argv: readonly string[]): string[] {
  const texts: string[] = [];
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const arg = argv[i] ?? '';
    if (arg.startsWith(`--${option}=`)) texts.push(arg.slice(option.length + 3));
    else if (arg === `--${option}` && i + 1 < argv.length) texts.push(argv[++i] ?? '');
  }
  return texts;
}

/** `value` in its typed form when `typed` holds the same values (a caller in code passes no argv of its own). */
function asTyped<T>(value: T | T[], typed: string[]): T | T[] | string | string[] {
  const values: unknown[] = Array.isArray(value) ? value : [value];
  const same =
    typed.length === values.length &&
    typed.every((text, i) => text === values[i] || (typeof values[i] === 'number' && Number(text) === values[i]));
  if (!same) return value;
  return Array.isArray(value) ? typed : (typed[0] ?? '');
}

/**
 * Validates every option before anything is written: a bad option throws, and the Tree is never flushed. Nothing is
 * trimmed: a name or description with a character one cannot see is refused, that character shown escaped.
 */
export function normalizeOptions(tree: Tree, options: ServiceOptions & { team: string }): NormalizedOptions {
  const name = options.name;
  const problem = nameProblem(name);
  if (problem) throw new Error(problem);

  const projectRoot = `${SERVICES_DIR}/${name}`;
  if (getProjects(tree).has(name)) {
    throw new Error(
      `A project named "${name}" already exists (${getProjects(tree).get(name)?.root}). Choose another name.`,
    );
  }
  if (tree.exists(projectRoot)) {
    throw new Error(`${projectRoot} already exists. Choose another name, or remove that folder first.`);
  }

  if (hasHiddenCharacters(options.team)) {
    throw new Error(
      `--team ${quote(options.team)} has whitespace or invisible characters (shown escaped); give the team's id as platform/teams.json lists it.`,
    );
  }
  const team = findTeam(tree, options.team);
  const description = options.description ?? '';
  const unprintable = [...description].filter((char) => NOT_PRINTABLE.test(char));
  if (unprintable.length > 0) {
    throw new Error(
      `--description must be a single line of printable characters; ${quote(description)} has ${[...new Set(unprintable)].map(quote).join(', ')}. Remove them (the README has room for more than one line).`,
    );
  }

  return {
    name,
    team,
    port: choosePort(tree, options.port),
    description: description.trim() || `The ${name} service.`,
    projectRoot,
  };
}

/**
 * A port as given: a number from a caller in code, a string of digits from the command line (schema.json declares it
 * a string, so Nx passes `1e4`, `3100.0` or ` 3100` as typed instead of turning them into numbers).
 */
function choosePort(tree: Tree, requested: ServiceOptions['port']): number {
  const used = new Map(
    listServices(tree).flatMap((service) => (service.port ? [[service.port, service.name] as const] : [])),
  );
  if (requested === undefined || requested === '') {
    let port = FIRST_SERVICE_PORT;
    while (used.has(port)) port++;
    return port;
  }
  const port =
    typeof requested === 'number' ? requested : /^[1-9]\d*$/.test(requested) ? Number(requested) : Number.NaN;
  if (!Number.isInteger(port) || port < MIN_PORT || port > MAX_PORT) {
    throw new Error(
      `--port must be an integer from ${MIN_PORT} to ${MAX_PORT} (got ${quote(String(requested))}); write it in plain digits, or leave it out to take the next free port.`,
    );
  }
  const owner = used.get(port);
  if (owner)
    throw new Error(
      `Port ${port} is already used by service "${owner}". Pick another --port, or leave it out to take the next free one.`,
    );
  return port;
}
