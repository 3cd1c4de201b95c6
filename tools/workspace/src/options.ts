import { CommandLine, type ArgsOf } from '@musiccorp/core/cli';

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

export const CREATE_WORKSPACE = new CommandLine({
  name: 'create-workspace',
  usage:
    'npm run create-workspace -- <dir> --team=<id> [--handle=@musiccorp/<id>] [--members=<a,b>] [--no-install] [--no-git]',
  help: `Create a per-team Nx monorepo, wired with the platform's generators, ownership and pipelines.

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
nothing behind.`,
  flags: {
    team: { type: 'string' },
    handle: { type: 'string' },
    members: { type: 'string' },
    install: { type: 'boolean', default: true, negatable: true },
    git: { type: 'boolean', default: true, negatable: true },
  },
  positionals: { expected: 'one target folder', max: 1 },
});

/** Parses the command line; a problem with it is a UsageError saying what is wrong, then the usage. */
export function parseCreateWorkspaceArgs(argv: readonly string[]): CreateWorkspaceArgs {
  const parsed = CREATE_WORKSPACE.parse(argv);
  return parsed.help ? { install: true, git: true, help: true } : createWorkspaceArgs(parsed);
}

/** The options of a parsed command line. */
export function createWorkspaceArgs({
  flags,
  positionals: [dir],
}: ArgsOf<typeof CREATE_WORKSPACE>): CreateWorkspaceArgs {
  const { team, handle, members, install, git } = flags;
  return { dir, team, handle, members, install, git, help: false };
}
