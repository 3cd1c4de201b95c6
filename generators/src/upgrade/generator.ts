import { logger, type GeneratorCallback, type Tree } from '@nx/devkit';
import { git } from '@musiccorp/core/git';
import type { UpgradeGeneratorSchema } from './schema';
import { normalizeOptions, type UpgradeTarget } from './lib/normalize-options';
import { UpgradeRun, type ServiceOutcome, type ServiceUpgrade } from './lib/plan-service';
import { writeUpgrade } from './lib/write-upgrade';
import { formatSummary, formatUpgrade, refusalsOf } from './lib/report';
import { commitUpgrades } from './lib/commit';
import { syncCodeowners } from '../codeowners/lib/sync';
import { CODEOWNERS_FILE } from '../codeowners/lib/render';
import { servicesWithContracts, syncContracts } from '../contracts/lib/sync';

/**
 * `nx g @musiccorp/generators:upgrade <service> | --all | --team=<id> [--to=<ref>] [--commit]`: every service is
 * planned (renders from git, drift check, merges) before anything is written, and Nx flushes the Tree all or nothing.
 * One named service that cannot be upgraded is an error; in a run over many, it is refused and listed, the others
 * are upgraded, and the run exits non-zero after writing them. `--commit` commits per service once Nx has written
 * the files (the returned callback).
 */
export async function upgradeGenerator(tree: Tree, schema: UpgradeGeneratorSchema): Promise<GeneratorCallback> {
  const options = normalizeOptions(tree, schema);
  const outcomes = planAll(tree, options.to.commit, options.targets);
  outcomes.push(...options.refusals.map((refusal): ServiceOutcome => ({ kind: 'refused', refusal })));
  const refusals = refusalsOf(outcomes);
  if (options.single && refusals[0]) throw new Error(refusals[0].reason);
  const upgrades = outcomes.flatMap((outcome) => (outcome.kind === 'upgrade' ? [outcome.upgrade] : []));
  if (upgrades.length === 0 && refusals.length > 0) throw new Error(formatSummary(outcomes).join('\n').trim());

  for (const upgrade of upgrades) writeUpgrade(tree, upgrade);
  await regenerateContracts(tree, upgrades);
  const codeownersWasClean = git(tree.root, ['status', '--porcelain', '--', CODEOWNERS_FILE]).trim() === '';
  if (upgrades.length > 0) syncCodeowners(tree);
  for (const upgrade of upgrades) logger.info(formatUpgrade(upgrade).join('\n'));
  logger.info(formatSummary(outcomes).join('\n'));
  // `nx g` ends with process.exit(), which drops what a slow pipe reader (CI's log, execa) has not taken yet — past
  // 64 KiB, several hundred services' reports: the summary with its conflict list must not be what is lost.
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));

  return async () => {
    if (options.commit) commitUpgrades(tree.root, upgrades, codeownersWasClean ? [CODEOWNERS_FILE] : []);
    if (refusals.length > 0)
      throw new Error(
        `${refusals.length} service${refusals.length === 1 ? ' was' : 's were'} refused (${refusals.map((r) => r.service).join(', ')}); the others were upgraded. Fix each as listed above, then run the upgrade again.`,
      );
  };
}

/**
 * Each upgraded service's contract, from its upgraded code, into the Tree: in its folder, so in its commit, and
 * `nx sync:check` passes after. A service left with conflicts, or whose code cannot be described, keeps its contract
 * files as they were, with a warning saying what to run once it is fixed.
 */
async function regenerateContracts(tree: Tree, upgrades: readonly ServiceUpgrade[]): Promise<void> {
  const conflicted = (upgrade: ServiceUpgrade) => upgrade.plan.changes.some((change) => change.kind === 'conflicted');
  const describable = new Set(servicesWithContracts(tree));
  const upgraded = upgrades.filter((upgrade) => describable.has(upgrade.service.name));
  for (const upgrade of upgraded.filter(conflicted)) {
    upgrade.warnings.push('contract not regenerated: resolve the conflicts, then run `npx nx sync` and commit it too');
  }
  const { changed, failures } = await syncContracts(
    tree,
    upgraded.filter((upgrade) => !conflicted(upgrade)).map((upgrade) => upgrade.service.name),
  );
  for (const upgrade of upgraded) {
    const prefix = `${upgrade.service.root}/`;
    upgrade.contractChanges = changed
      .filter((path) => path.startsWith(prefix))
      .map((path) => path.slice(prefix.length));
    const failure = failures.find((candidate) => candidate.service === upgrade.service.name);
    if (failure) {
      upgrade.warnings.push(`contract not regenerated (${failure.error}); fix that, then run \`npx nx sync\``);
    }
  }
}

function planAll(tree: Tree, to: string, targets: readonly UpgradeTarget[]): ServiceOutcome[] {
  if (targets.length === 0) return [];
  const run = new UpgradeRun(tree, to);
  try {
    return targets.map((target) => run.plan(target));
  } finally {
    run.dispose();
  }
}

export default upgradeGenerator;
