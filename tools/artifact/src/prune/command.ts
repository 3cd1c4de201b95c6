/**
 * The artifacts command line, callable in-process (tests) — ../artifacts-cli.ts is the entry point that runs it.
 *
 * `npm run artifacts -- prune [--keep-runs=N] [--dry-run] [--workspace=<dir>]`
 *   Deletes from the artifact store (the one `openArtifactStore` opens: ARTIFACT_REGISTRY, ARTIFACT_STORE_DIR or
 *   `<workspace>/.artifacts/oci`) every image that nothing references and that is not among its service's N newest
 *   (default 3), then the blobs no kept image uses; prints what it kept (and why), what it removed, the bytes freed.
 *   Referenced: every digest under `deploy/` and in the records under `dist/` (references.ts).
 *
 * Exit codes: 0 pruned (with --dry-run: reported, nothing deleted); 1 not pruned (a registry store, a record that
 * cannot be read, a kept image's manifest broken, the store's lock held too long); 2 bad arguments.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { referencedDigests } from './references';
import { openArtifactStore, type PruneResult, type StoredImage } from '../store';

const DEFAULT_KEEP_RUNS = 3;

const USAGE = `Usage:
  npm run artifacts -- prune [--keep-runs=N] [--dry-run] [--workspace=<dir>]
    Deletes the artifact store's images that deploy/ and dist/ no longer reference, beyond each service's N newest
    (--keep-runs, default ${DEFAULT_KEEP_RUNS}, at least 1), and the blobs only they used. --dry-run deletes nothing.`;

export interface Output {
  write(text: string): unknown;
}

export async function main(
  argv: string[],
  out: Output = process.stdout,
  err: Output = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const print = (text: string) => out.write(`${text}\n`);
  const warn = (text: string) => err.write(`${text}\n`);
  let values: { 'keep-runs'?: string; 'dry-run'?: boolean; workspace?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        'keep-runs': { type: 'string' },
        'dry-run': { type: 'boolean' },
        workspace: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    warn(`artifacts: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    print(USAGE);
    return 0;
  }
  const [command, ...extra] = positionals;
  if (command !== 'prune') {
    warn(`artifacts: ${command ? `unknown command "${command}"` : 'no command given'}.\n${USAGE}`);
    return 2;
  }
  if (extra.length > 0) {
    warn(`artifacts prune: takes no arguments (got ${extra.join(' ')}).\n${USAGE}`);
    return 2;
  }
  const keepRunsText = values['keep-runs'] ?? String(DEFAULT_KEEP_RUNS);
  const keepRuns = Number(keepRunsText);
  if (!/^\d+$/.test(keepRunsText) || keepRuns < 1) {
    warn(
      `artifacts prune: --keep-runs must be a whole number of at least 1, got "${keepRunsText}" (each service's newest image may be one a publish has just stored).\n${USAGE}`,
    );
    return 2;
  }
  const workspaceRoot = resolve(values.workspace ?? WORKSPACE_ROOT);
  if (values.workspace?.trim() === '' || !existsSync(workspaceRoot)) {
    warn(
      `artifacts prune: --workspace=${values.workspace} is not a folder. Pass the workspace root, or leave it out for this workspace.\n${USAGE}`,
    );
    return 2;
  }
  const dryRun = values['dry-run'] ?? false;

  const store = openArtifactStore({ workspaceRoot, env });
  try {
    const referenced = await referencedDigests(workspaceRoot);
    const result = await store.prune({ referenced, keepNewest: keepRuns, dryRun });
    print(formatPrune(store.describe(), result, { keepRuns, dryRun }));
    return 0;
  } catch (error) {
    warn(`artifacts prune: ${(error as Error).message}`);
    return 1;
  }
}

function formatPrune(store: string, result: PruneResult, options: { keepRuns: number; dryRun: boolean }): string {
  const row = (verb: string, image: StoredImage, why = '') =>
    [
      `  ${verb.padEnd(12)}`,
      image.service ?? '?',
      image.digest,
      image.gitSha ? `git ${image.gitSha.slice(0, 7)}` : '',
      why,
    ]
      .filter(Boolean)
      .join('  ');
  const removeVerb = options.dryRun ? 'would remove' : 'removed';
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const lines = [
    `${options.dryRun ? `Dry run for the ${store} (nothing deleted)` : `Pruned the ${store}`}, keeping what deploy/ and dist/ reference and each service's ${count(options.keepRuns, 'newest image')}:`,
    ...result.kept.map((image) => row('kept', image, image.keptBecause.join(', '))),
    ...result.removed.map((image) => row(removeVerb, image)),
    options.dryRun
      ? `Would remove ${count(result.removed.length, 'image')} and ${count(result.removedBlobs.length, 'blob')}, freeing ${formatBytes(result.freedBytes)}; nothing was deleted.`
      : `Removed ${count(result.removed.length, 'image')} and ${count(result.removedBlobs.length, 'blob')}: ${formatBytes(result.freedBytes)} freed; kept ${count(result.kept.length, 'image')}.`,
  ];
  if (result.leftovers.length > 0)
    lines.push(
      `Also swept ${count(result.leftovers.length, 'leftover')} of killed publishes: ${result.leftovers.join(', ')}.`,
    );
  return lines.join('\n');
}

/** Decimal units, as `du --si` and `df -H` print them. */
function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
