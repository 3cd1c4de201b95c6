/** `npm run owners`: code ownership from CODEOWNERS, with GitHub's rules — as `main(argv, out, err)`; cli.ts runs it. */
import { CommandLine, UsageError, type ArgsOf, type Output } from '@musiccorp/core/cli';

const OWNERS = new CommandLine({
  name: 'owners',
  usage: [
    'npm run owners -- check [--repo <dir>] [--json]',
    'npm run owners -- who [--repo <dir>] [--json] <path…>',
    'npm run owners -- reviewers --base=<ref> [--head=<ref>] [--repo <dir>] [--json]',
  ],
  help: `  check      validate CODEOWNERS against the repository and platform/teams.json
  who        the owners of each path (the working tree's CODEOWNERS)
  reviewers  the approvals a change needs (the base's CODEOWNERS, as GitHub reads it), and the teams of the
             consumers of a contract it breaks (their consumes.json)
  --repo     the repository (default: the current directory)
  --json     only the JSON document on stdout; warnings go to stderr
Exit codes: 0 success (check: no problems), 1 check found problems or an unexpected failure, 2 bad arguments or refs.`,
  flags: {
    repo: { type: 'string' },
    json: { type: 'boolean' },
    base: { type: 'string' },
    head: { type: 'string' },
  },
  positionals: { expected: 'a command: check, who or reviewers', min: 1 },
});

const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  check: ['repo', 'json'],
  who: ['repo', 'json'],
  reviewers: ['repo', 'json', 'base', 'head'],
};

export const main = OWNERS.main((args, { out, err }) => run(args, out, err));

async function run(
  { flags: values, positionals: [command = '', ...args] }: ArgsOf<typeof OWNERS>,
  out: Output,
  err: Output,
): Promise<number> {
  const print = (text: string) => out.write(`${text}\n`);
  const warn = (text: string) => err.write(`${text}\n`);
  const allowed = COMMAND_OPTIONS[command];
  if (!allowed) throw OWNERS.refuse(`unknown command "${command}": use check, who or reviewers.`);
  const extra = (['repo', 'base', 'head'] as const).find(
    (name) => values[name] !== undefined && !allowed.includes(name),
  );
  if (extra) throw OWNERS.refuse(`--${extra} is not an option of this command (owners ${command}).`);
  const repo = values.repo ?? process.cwd();

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
      const { touchesContracts, addConsumerApprovals } = await import('./consumer-reviewers');
      if (touchesContracts(result.changes)) await addConsumerApprovals(repo, result);
      for (const warning of result.warnings) warn(`owners: ${warning}`);
      print(values.json ? JSON.stringify(reviewersJson(result)) : formatReviewers(result));
      return 0;
    }
  }
  return 2;
}
