/**
 * `npm run ci:affected -- --base=<ref> [--head=<ref>] [--json]`: the services a change affects, and why.
 *
 * --base   what to compare with (its merge base with the head, like `nx affected`); default: nx.json defaultBase.
 * --head   a commit, which must be the checked-out one; only committed changes count. Without --head the head is
 *          the working tree: HEAD plus uncommitted and untracked files.
 * --json   exactly {"services":[{"name","team","reasons":[…]}]} on stdout; notes and warnings go to stderr.
 *
 * Exit codes: 0 (also when nothing is affected), 1 Nx could not build the project graph, 2 bad arguments or refs.
 */
import { parseArgs } from 'node:util';

const USAGE = 'Usage: npm run ci:affected -- --base=<ref> [--head=<ref>] [--json]';
const HELP = `${USAGE}

Lists the services (projects tagged type:service) that changes since <base> affect, and why.
  --base=<ref>  compare with the merge base of <ref> and the head (default: nx.json defaultBase)
  --head=<ref>  committed changes up to <ref>, which must be the checked-out commit; without --head:
                the working tree (HEAD plus uncommitted and untracked files)
  --json        {"services":[{"name","team","reasons":[...]}]} on stdout (use \`npm run -s\` so npm adds nothing)
Exit codes: 0 done (also when nothing is affected), 1 the project graph failed, 2 bad arguments or refs.`;

async function main(): Promise<number> {
  let values: { base?: string; head?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        base: { type: 'string' },
        head: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`ci:affected: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  for (const flag of ['base', 'head'] as const) {
    if (values[flag]?.trim() === '') {
      console.error(`ci:affected: --${flag} is empty (an unset CI variable?). Pass --${flag}=<ref>.\n${USAGE}`);
      return 2;
    }
  }

  // One Nx, in this process: no daemon, and Nx's core plugins loaded in-process instead of one worker process each
  // (plugin workers cost ~1 s of the ~1.3 s graph build on two cores).
  process.env['NX_DAEMON'] ??= 'false';
  process.env['NX_ISOLATE_PLUGINS'] ??= 'false';
  const log = console.log;
  if (values.json) console.log = console.info = (...args: unknown[]) => console.error(...args); // stdout is the JSON only

  if (process.env['NX_PERF_LOGGING'] === 'true') await import('nx/src/utils/perf-logging.js'); // Nx's and our phase timings
  const { computeAffected } = await import('./affected');
  const { UsageError } = await import('@musiccorp/core/usage-error');
  const { formatHuman, toJson } = await import('./format');
  try {
    const result = await computeAffected({ base: values.base, head: values.head });
    for (const warning of result.warnings) console.error(`warning: ${warning}`);
    if (values.json) {
      for (const note of result.notes) console.error(`note: ${note}`);
      log(JSON.stringify(toJson(result)));
    } else {
      log(formatHuman(result).trimEnd());
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`ci:affected: ${error.message}`);
      return 2;
    }
    const cause = error as Error & { errors?: unknown[] };
    const details = (cause.errors ?? []).map((e) => `  - ${e instanceof Error ? e.message : String(e)}`);
    console.error(
      [`ci:affected: could not compute the affected services: ${cause.message ?? String(error)}`, ...details].join(
        '\n',
      ),
    );
    return 1;
  }
}

process.exitCode = await main();
