import { logger } from '@nx/devkit';
import { git } from '@musiccorp/core/git';
import type { ServiceUpgrade } from './plan-service';

/** `catalog: upgrade template 1fdc7b5..c9be832`, then the template commits moved across. */
export function commitMessage(upgrade: ServiceUpgrade): string[] {
  const subject = `${upgrade.service.name}: upgrade template ${upgrade.from.slice(0, 7)}..${upgrade.to.slice(0, 7)}`;
  const body = upgrade.commits.map((commit) => `${commit.sha} ${commit.subject}`);
  return body.length ? [subject, body.join('\n')] : [subject];
}

/**
 * One commit per upgraded service, holding its folder only (a pathspec commit: whatever else is staged stays staged),
 * so each team reviews and ships its own and `ci:affected` of each commit lists that one service. A service left
 * with conflicts is not committed: its team resolves them first, and the command to commit is printed. Runs after Nx
 * has written the files (the generator's callback).
 */
export function commitUpgrades(root: string, upgrades: readonly ServiceUpgrade[], others: readonly string[]): void {
  const unresolved: ServiceUpgrade[] = [];
  for (const upgrade of upgrades) {
    if (upgrade.plan.changes.some((change) => change.kind === 'conflicted')) {
      unresolved.push(upgrade);
      continue;
    }
    const folder = upgrade.service.root;
    git(root, ['add', '--all', '--', folder]);
    git(root, ['commit', '--quiet', '--no-verify', ...commitMessage(upgrade).flatMap((m) => ['-m', m]), '--', folder]);
    logger.info(`committed ${git(root, ['log', '-1', '--format=%h %s']).trim()}`);
  }
  const changed = others.filter((path) => git(root, ['status', '--porcelain', '--', path]).trim() !== '');
  if (changed.length) {
    git(root, ['add', '--', ...changed]);
    git(root, [
      'commit',
      '--quiet',
      '--no-verify',
      '-m',
      `${changed.join(', ')}: sync after upgrading ${upgrades.map((upgrade) => upgrade.service.name).join(', ')}`,
      '--',
      ...changed,
    ]);
    logger.info(`committed ${git(root, ['log', '-1', '--format=%h %s']).trim()}`);
  }
  for (const upgrade of unresolved) {
    const message = commitMessage(upgrade)
      .map((m) => `-m ${JSON.stringify(m)}`)
      .join(' ');
    logger.warn(
      `not committed: ${upgrade.service.name} has conflicts. Resolve them (\`npx nx lint ${upgrade.service.name}\` passes), then: git add ${upgrade.service.root} && git commit ${message} -- ${upgrade.service.root}`,
    );
  }
}
