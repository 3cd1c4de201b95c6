/**
 * The owners command line, callable in-process (tests) — cli.ts is the entry point that runs it.
 *
 * `npm run owners -- <command>`: code ownership from CODEOWNERS, with GitHub's rules.
 *
 *   check     [--repo <dir>] [--json]                       validate CODEOWNERS against the repo and platform/teams.json
 *   who       [--repo <dir>] [--json] <path…>               owners of each path (working-tree CODEOWNERS)
 *   reviewers --base=<ref> [--head=<ref>] [--repo <dir>] [--json]
 *                                                           approvals a change needs (CODEOWNERS of the base, as GitHub)
 *
 * Exit codes: 0 success (check: no problems); 1 check found problems, or an unexpected failure; 2 bad arguments or
 * refs. With --json, stdout holds only the JSON document; warnings go to stderr.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '@musiccorp/core/usage-error';

const USAGE = `Usage:
  npm run owners -- check [--repo <dir>] [--json]
  npm run owners -- who [--repo <dir>] [--json] <path…>
  npm run owners -- reviewers --base=<ref> [--head=<ref>] [--repo <dir>] [--json]`;

const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  check: ['repo', 'json'],
  who: ['repo', 'json'],
  reviewers: ['repo', 'json', 'base', 'head'],
};

export interface Output {
  write(text: string): unknown;
}

export async function main(
  argv: string[],
  out: Output = process.stdout,
  err: Output = process.stderr,
): Promise<number> {
  const print = (text: string) => out.write(`${text}\n`);
  const warn = (text: string) => err.write(`${text}\n`);
  let values: { repo?: string; json?: boolean; base?: string; head?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        repo: { type: 'string' },
        json: { type: 'boolean' },
        base: { type: 'string' },
        head: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    warn(`owners: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, ...args] = positionals;
  if (values.help) {
    print(USAGE);
    return 0;
  }
  const allowed = command ? COMMAND_OPTIONS[command] : undefined;
  if (!allowed) {
    warn(`owners: ${command ? `unknown command "${command}"` : 'no command given'}.\n${USAGE}`);
    return 2;
  }
  const extra = (['repo', 'json', 'base', 'head'] as const).filter(
    (name) => values[name] !== undefined && !allowed.includes(name),
  );
  if (extra.length > 0) {
    warn(`owners ${command}: --${extra[0]} is not an option of this command.\n${USAGE}`);
    return 2;
  }
  for (const name of ['repo', 'base', 'head'] as const) {
    if (values[name] !== undefined && values[name]!.trim() === '') {
      warn(`owners ${command}: --${name} is empty (an unset CI variable?). Pass --${name}=<value>.`);
      return 2;
    }
  }
  const repo = values.repo ?? process.cwd();

  try {
    switch (command) {
      case 'check': {
        if (args.length > 0) throw new UsageError(`owners check takes no paths (got ${args.join(' ')}).`);
        const { check, formatCheck } = await import('./check');
        const result = await check(repo);
        print(values.json ? JSON.stringify(result, null, 2) : formatCheck(result));
        return result.ok ? 0 : 1;
      }
      case 'who': {
        if (args.length === 0)
          throw new UsageError('owners who needs at least one path, e.g. `owners who services/catalog/src/app.ts`.');
        const { who, whoJson, formatWho } = await import('./who');
        const result = who(repo, args);
        for (const warning of result.warnings) warn(`owners: ${warning}`);
        print(values.json ? JSON.stringify(whoJson(result)) : formatWho(result));
        return 0;
      }
      case 'reviewers': {
        if (args.length > 0)
          throw new UsageError(
            `owners reviewers takes no paths (got ${args.join(' ')}); pass --base=<ref> [--head=<ref>].`,
          );
        if (values.base === undefined)
          throw new UsageError('owners reviewers needs --base=<ref>, e.g. --base=origin/main.');
        const { reviewers, reviewersJson, formatReviewers } = await import('./reviewers');
        const result = reviewers({
          repo,
          base: values.base,
          ...(values.head === undefined ? {} : { head: values.head }),
        });
        for (const warning of result.warnings) warn(`owners: ${warning}`);
        print(values.json ? JSON.stringify(reviewersJson(result)) : formatReviewers(result));
        return 0;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      warn(`owners ${command}: ${error.message}`);
      return 2;
    }
    throw error;
  }
  return 2;
}
