/** `npm run contract`: the breaking-change gate of the services' contracts — as `main(argv, out, err)`; cli.ts runs it. */
import { CommandLine, UsageError } from '@musiccorp/core/cli';
import { tryGit } from '@musiccorp/core/git';

const CONTRACT = new CommandLine({
  name: 'contract',
  usage:
    'npm run contract -- check [--base=<ref>] [--head=<ref>] [--service=<name>]… [--declared] [--json | --format=github] [--repo <dir>]',
  help: `  check        classify every change of the services' committed contracts (services/<name>/contract/openapi.json,
               events.json) as breaking or not; a breaking change fails unless info.version's major went up, and then
               lists the consumers that must move (their consumes.json)
  --base=<ref>  compare with the merge base of <ref> and the head (default: $CONTRACT_BASE, else nx.json defaultBase)
  --head=<ref>  a commit to compare; default: the working tree (HEAD plus uncommitted and untracked files)
  --service     only this service's contracts, and the changed contracts it consumes (repeatable)
  --declared    also check that the committed contract files are what the code declares (else: \`npx nx sync\`)
  --json        the result as one JSON document on stdout (shape: tools/contract/README.md)
  --format=github  GitHub workflow commands: ::error (fails the gate), ::warning, ::notice, beside the log lines
  --repo        the repository (default: the current directory)
Exit codes: 0 the gate passes, 1 it fails (or an unexpected failure), 2 bad arguments, refs or contract files.`,
  flags: {
    base: { type: 'string' },
    head: { type: 'string' },
    service: { type: 'string', multiple: true },
    declared: { type: 'boolean' },
    json: { type: 'boolean' },
    format: { type: 'string' },
    repo: { type: 'string' },
  },
  positionals: { expected: 'a command: check', min: 1, max: 1 },
});

const FORMATS = ['human', 'github'];

export const main = CONTRACT.main(
  async ({ flags, positionals: [command] }, { out, err }, env: NodeJS.ProcessEnv = process.env) => {
    if (command !== 'check') throw CONTRACT.refuse(`unknown command "${command}": use check.`);
    const format = flags.format ?? 'human';
    if (!FORMATS.includes(format))
      throw CONTRACT.refuse(`--format=${format} is not a format: use --format=github (or leave it out), or --json.`);
    if (flags.json && flags.format !== undefined)
      throw CONTRACT.refuse(`--json and --format=${format} are two outputs: give one of them.`);
    const dir = flags.repo ?? process.cwd();
    const root = tryGit(dir, ['rev-parse', '--show-toplevel'])?.trim();
    if (!root) throw new UsageError(`${dir} is not inside a git work tree. Pass --repo=<a clone of the repository>.`);

    const { check, defaultBase } = await import('./check');
    const fromEnv = env['CONTRACT_BASE'];
    const base =
      flags.base !== undefined
        ? { ref: flags.base, source: '--base' as const }
        : fromEnv
          ? { ref: fromEnv, source: 'CONTRACT_BASE' as const }
          : { ref: defaultBase(root), source: 'nx.json defaultBase' as const };
    const result = await check({
      root,
      base,
      ...(flags.head === undefined ? {} : { head: flags.head }),
      ...(flags.service.length ? { services: flags.service } : {}),
      declared: flags.declared,
    });
    const { formatGithub, formatHuman, toJson } = await import('./format');
    if (flags.json) {
      for (const warning of result.warnings) err.write(`contract: ${warning}\n`);
      out.write(`${JSON.stringify(toJson(result), null, 2)}\n`);
    } else if (format === 'github') {
      out.write(formatGithub(result));
    } else {
      for (const warning of result.warnings) err.write(`contract: ${warning}\n`);
      out.write(formatHuman(result));
    }
    return result.ok ? 0 : 1;
  },
);
