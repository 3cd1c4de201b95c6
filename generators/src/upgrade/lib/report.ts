import type { Refusal } from './normalize-options';
import type { ChangeKind, FileChange } from './plan';
import type { ServiceOutcome, ServiceUpgrade } from './plan-service';

const KINDS: readonly ChangeKind[] = ['replaced', 'merged', 'conflicted', 'added', 'removed'];
const WIDTH = 120;

/** One upgraded service: the template commits it moves across, then its files by what happened to them. */
export function formatUpgrade(upgrade: ServiceUpgrade): string[] {
  const { service, from, to, commits, plan, answers } = upgrade;
  const lines = [
    `${service.name}: template ${from.slice(0, 7)}..${to.slice(0, 7)}, ${commits.length} template commit${commits.length === 1 ? '' : 's'}${commits.length ? ':' : ''}`,
    ...commits.map((commit) => `    ${commit.sha} ${commit.subject}`),
  ];
  for (const kind of KINDS) {
    const files = plan.changes.filter((change) => change.kind === kind).map(describeChange);
    lines.push(...wrapped(`  ${kind.padEnd(10)} ${String(files.length).padStart(3)}  `, files));
  }
  if (plan.kept.length)
    lines.push(
      `  kept: ${plan.kept.join(', ')} — removed by the template, but changed by the team: now the team's own`,
    );
  if (plan.notRecreated.length) lines.push(`  not recreated: ${plan.notRecreated.join(', ')} — deleted by the team`);
  if (answers.added.length) lines.push(`  new answers (their defaults): ${answers.added.join(', ')}`);
  if (answers.dropped.length)
    lines.push(`  answers the template no longer reads, dropped: ${answers.dropped.join(', ')}`);
  if (upgrade.contractChanges?.length)
    lines.push(`  contract   ${upgrade.contractChanges.join(', ')} — regenerated from the upgraded code`);
  for (const warning of upgrade.warnings) lines.push(`  warning: ${warning}`);
  return lines;
}

/** `head` and the items, comma-separated, continued under the first item once a line would pass WIDTH. */
function wrapped(head: string, items: readonly string[]): string[] {
  const lines: string[] = [];
  let line = head;
  items.forEach((item, index) => {
    const text = index < items.length - 1 ? `${item},` : item;
    if (line.length > head.length && line.length + 1 + text.length > WIDTH) {
      lines.push(line);
      line = ' '.repeat(head.length) + text;
    } else line += line.length > head.length ? ` ${text}` : text;
  });
  return [...lines, line.trimEnd()];
}

function describeChange(change: FileChange): string {
  return 'renamedFrom' in change && change.renamedFrom ? `${change.renamedFrom} → ${change.path}` : change.path;
}

/** The closing lines: totals, every conflict with what to do, every refusal with its fix. */
export function formatSummary(outcomes: readonly ServiceOutcome[]): string[] {
  const upgrades = outcomes.flatMap((outcome) => (outcome.kind === 'upgrade' ? [outcome.upgrade] : []));
  const upToDate = outcomes.filter((outcome) => outcome.kind === 'up-to-date');
  const refusals = refusalsOf(outcomes);
  const conflicted = upgrades.flatMap((upgrade) =>
    upgrade.plan.changes
      .filter((change) => change.kind === 'conflicted')
      .map((change) => ({ service: upgrade.service, path: `${upgrade.service.root}/${change.path}` })),
  );
  const lines = [
    '',
    `Upgraded ${upgrades.length} service${upgrades.length === 1 ? '' : 's'}${conflicted.length ? ` (${new Set(conflicted.map((c) => c.service.name)).size} with conflicts)` : ''}, ${upToDate.length} already up to date, ${refusals.length} refused.`,
  ];
  if (upToDate.length)
    lines.push(
      `Up to date: ${upToDate.map((outcome) => outcome.kind === 'up-to-date' && outcome.service.name).join(', ')}.`,
    );
  if (conflicted.length) {
    lines.push(
      '',
      `Conflicts: ${conflicted.length} file${conflicted.length === 1 ? '' : 's'} the team and the template both changed in the same lines, written with git's conflict markers:`,
      ...conflicted.map((conflict) => `  ${conflict.path}`),
      'In each file keep what you want between <<<<<<< (yours) and >>>>>>> (the new template) and delete the marker lines;',
      `\`npx nx lint <service>\` fails until no marker is left. Then commit the service's folder.`,
    );
  }
  if (refusals.length) {
    lines.push('', `Refused (nothing written for ${refusals.length === 1 ? 'it' : 'them'}):`);
    for (const refusal of refusals) lines.push(...refusal.reason.split('\n').map((line) => `  ${line}`));
  }
  return lines;
}

export function refusalsOf(outcomes: readonly ServiceOutcome[]): Refusal[] {
  return outcomes.flatMap((outcome) => (outcome.kind === 'refused' ? [outcome.refusal] : []));
}
