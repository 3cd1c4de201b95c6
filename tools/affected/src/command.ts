/** `npm run ci:affected`: the services a change affects, and why — as `main(argv, out, err)`; cli.ts runs it. */
import { CommandLine, UsageError } from '@musiccorp/core/cli';

const CI_AFFECTED = new CommandLine({
  name: 'ci:affected',
  usage: 'npm run ci:affected -- --base=<ref> [--head=<ref>] [--json]',
  help: `Lists the services (projects tagged type:service) that changes since <base> affect, and why.
  --base=<ref>  compare with the merge base of <ref> and the head (default: nx.json defaultBase)
  --head=<ref>  committed changes up to <ref>, which must be the checked-out commit; without --head:
                the working tree (HEAD plus uncommitted and untracked files)
  --json        {"services":[{"name","team","reasons":[...],"rebuild","deploy","checks":[...],"targets":[...]}]}
                on stdout (use \`npm run -s\` so npm adds nothing): the table's columns, and every target the change
                reaches; notes and warnings go to stderr
Exit codes: 0 done (also when nothing is affected), 1 the project graph failed, 2 bad arguments or refs.`,
  flags: {
    base: { type: 'string' },
    head: { type: 'string' },
    json: { type: 'boolean' },
  },
});

export const main = CI_AFFECTED.main(async ({ flags }, { out, err }) => {
  // One Nx, in this process: no daemon, and Nx's core plugins loaded in-process instead of one worker process each
  // (plugin workers cost ~1 s of the ~1.3 s graph build on two cores).
  process.env['NX_DAEMON'] ??= 'false';
  process.env['NX_ISOLATE_PLUGINS'] ??= 'false';
  const warn = (text: string) => err.write(`${text}\n`);
  // Nx logs with console.log: with --json, stdout holds the JSON only.
  const { log, info } = console;
  if (flags.json) console.log = console.info = (...args: unknown[]) => console.error(...args);
  try {
    if (process.env['NX_PERF_LOGGING'] === 'true') await import('nx/src/utils/perf-logging.js'); // Nx's and our phase timings
    const { computeAffected } = await import('./affected');
    const { formatHuman, toJson } = await import('./format');
    const result = await computeAffected({ base: flags.base, head: flags.head });
    for (const warning of result.warnings) warn(`warning: ${warning}`);
    if (flags.json) {
      for (const note of result.notes) warn(`note: ${note}`);
      out.write(`${JSON.stringify(toJson(result))}\n`);
    } else {
      out.write(`${formatHuman(result).trimEnd()}\n`);
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const cause = error as Error & { errors?: unknown[] };
    const details = (cause.errors ?? []).map((e) => `  - ${e instanceof Error ? e.message : String(e)}`);
    warn(
      [`ci:affected: could not compute the affected services: ${cause.message ?? String(error)}`, ...details].join(
        '\n',
      ),
    );
    return 1;
  } finally {
    Object.assign(console, { log, info });
  }
});
