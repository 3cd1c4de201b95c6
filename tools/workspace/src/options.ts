import { parseArgs } from 'node:util';
import { UsageError } from '@musiccorp/core/usage-error';

/** What the command line says; anything missing is asked for in a terminal, or refused without one. */
export interface CreateWorkspaceArgs {
  /** Target folder, as typed (relative to the current directory). */
  dir?: string;
  team?: string;
  handle?: string;
  /** Comma-separated GitHub usernames; needed only for a team the platform's registry does not list. */
  members?: string;
  install: boolean;
  git: boolean;
  help: boolean;
}

export const USAGE =
  'npm run create-workspace -- <dir> --team=<id> [--handle=@musiccorp/<id>] [--no-install] [--no-git]';

export const HELP = `Create a per-team Nx monorepo, wired with the platform's generators, ownership and pipelines.

Usage: ${USAGE}

  <dir>               the new workspace's folder: must not exist yet, or be empty; its parent must exist
  --team=<id>         the owning team's id (kebab-case, e.g. royalties): the default owner of every file, and the
                      --team of its services (nx g @musiccorp/generators:service <name> --team=<id>)
  --handle=<handle>   the team's GitHub team; must be @musiccorp/<id> (the default), as in platform/teams.json
  --members=<a,b>     GitHub usernames of the team, comma-separated; needed only when platform/teams.json does not
                      list the team (a listed team's members, name and contact are copied from there)
  --no-install        skip \`npm install\` (run \`npm ci\` in the workspace later)
  --no-git            skip \`git init\` and the initial commit
  --help              show this help

In a terminal, a missing <dir>, --team or --members is asked for; elsewhere it is an error. The workspace is built in
a temporary folder beside <dir> and moved into place only when every step succeeded: a failure (or Ctrl-C) leaves
nothing behind.`;

/** Parses the command line; a problem with it is a UsageError naming the fix. */
export function parseCreateWorkspaceArgs(argv: string[]): CreateWorkspaceArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nUsage: ${USAGE} (--help explains every option)`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(
      `Expected one target folder, got ${positionals.length}: ${positionals.join(' ')}. Usage: ${USAGE}`,
    );
  }
  return {
    dir: positionals[0],
    team: values.team,
    handle: values.handle,
    members: values.members,
    install: values.install,
    git: values.git,
    help: values.help,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    allowNegative: true,
    strict: true,
    options: {
      team: { type: 'string' },
      handle: { type: 'string' },
      members: { type: 'string' },
      install: { type: 'boolean', default: true },
      git: { type: 'boolean', default: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
