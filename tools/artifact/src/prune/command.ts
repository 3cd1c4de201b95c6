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
import { CommandLine } from '@musiccorp/core/cli';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { referencedDigests } from './references';
import { openArtifactStore, type PruneResult, type StoredImage } from '../store';

const DEFAULT_KEEP_RUNS = 3;

const ARTIFACTS = new CommandLine({
  name: 'artifacts',
  usage: 'npm run artifacts -- prune [--keep-runs=N] [--dry-run] [--workspace=<dir>]',
  help: `  prune        delete the artifact store's images that deploy/ and dist/ no longer reference, beyond each
               service's newest, and the blobs only they used; print what was kept (and why), removed and freed
  --keep-runs  each service's newest images to keep besides the referenced ones (default ${DEFAULT_KEEP_RUNS}, at least 1)
  --dry-run    report only, delete nothing
  --workspace  the workspace whose deploy/, dist/ and store to use (default: this one)
Exit codes: 0 pruned (or reported), 1 not pruned (a registry store, an unreadable record, a broken kept manifest), 2 bad arguments.`,
  flags: {
    'keep-runs': { type: 'string', default: String(DEFAULT_KEEP_RUNS) },
    'dry-run': { type: 'boolean' },
    workspace: { type: 'string' },
  },
  positionals: { expected: 'the command prune', min: 1, max: 1 },
});

export const main = ARTIFACTS.main(
  async ({ flags, positionals: [command] }, { out, err }, env: NodeJS.ProcessEnv = process.env) => {
    if (command !== 'prune') throw ARTIFACTS.refuse(`unknown command "${command}": use prune.`);
    const keepRuns = Number(flags['keep-runs']);
    if (!/^\d+$/.test(flags['keep-runs']) || keepRuns < 1)
      throw ARTIFACTS.refuse(
        `--keep-runs must be a whole number of at least 1, got "${flags['keep-runs']}" (each service's newest image may be one a publish has just stored).`,
      );
    const workspaceRoot = resolve(flags.workspace ?? WORKSPACE_ROOT);
    if (!existsSync(workspaceRoot))
      throw ARTIFACTS.refuse(
        `--workspace=${flags.workspace} is not a folder: pass the workspace root, or leave it out for this workspace.`,
      );

    const store = openArtifactStore({ workspaceRoot, env });
    try {
      const referenced = await referencedDigests(workspaceRoot);
      const result = await store.prune({ referenced, keepNewest: keepRuns, dryRun: flags['dry-run'] });
      out.write(`${formatPrune(store.describe(), result, { keepRuns, dryRun: flags['dry-run'] })}\n`);
      return 0;
    } catch (error) {
      err.write(`artifacts prune: ${(error as Error).message}\n`);
      return 1;
    }
  },
);

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
