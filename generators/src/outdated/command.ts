/**
 * `npm run outdated [-- --json] [--fail-behind=N]`: which services lag the template at HEAD, by how much, and what an
 * upgrade would change (outdated.ts) — as `main(argv, out, err)`; cli.ts runs it.
 */
import { workspaceRoot } from '@nx/devkit';
import { CommandLine } from '@musiccorp/core/cli';
import { UPGRADE } from '../upgrade/lib/normalize-options';
import { readOutdated, type OutdatedReport, type ServiceError, type ServiceStatus } from './outdated';

const OUTDATED = new CommandLine({
  name: 'outdated',
  usage: 'npm run outdated -- [--json] [--fail-behind=<N>]',
  help: `Lists every service (project tagged type:service) with its team, the template commit its
template-provenance.json records and that commit's date, how many commits of its template HEAD has since ("behind"),
whether its platform-owned files drifted, and which platform-owned files an upgrade to HEAD would change (planned as
\`${UPGRADE}\` plans it; nothing is written).
  --json           one JSON document on stdout: {"head", "services": [{"service", "team", "folder", "template",
                   "commit", "date", "behind", "drift": {"clean", "findings"}, "upgrade": {"platformFiles": [{"path",
                   "kind"}]} or {"refused"}}]}; a service it cannot read has "error" instead
  --fail-behind=N  exit 1 when a service is more than N template commits behind (a CI gate), listing them
Exit codes: 0 (also with services behind, drifted or unreadable, unless --fail-behind), 1 a service more than
--fail-behind commits behind, 2 bad arguments.`,
  flags: { json: { type: 'boolean' }, 'fail-behind': { type: 'string' } },
});

export const main = OUTDATED.main(({ flags }, { out, err }, root: string = workspaceRoot) => {
  const given = flags['fail-behind'];
  if (given !== undefined && !/^\d+$/.test(given))
    throw OUTDATED.refuse(
      `--fail-behind takes a number of template commits, 0 or more (got "${given}"): e.g. --fail-behind=5.`,
    );
  const failBehind = given === undefined ? undefined : Number(given);

  let report: OutdatedReport;
  try {
    report = readOutdated(root);
  } catch (error) {
    throw OUTDATED.refuse(
      `cannot read the history of ${root}: ${(error as Error).message.trim()} Run it in a git checkout of a workspace the platform made, with at least one commit.`,
    );
  }
  out.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));

  if (failBehind === undefined) return 0;
  const beyond = report.services.filter(
    (status): status is ServiceStatus => 'behind' in status && status.behind > failBehind,
  );
  if (beyond.length === 0) return 0;
  err.write(
    `outdated: ${beyond.length} service${beyond.length > 1 ? 's are' : ' is'} more than ${failBehind} template commit${failBehind === 1 ? '' : 's'} behind: ${beyond.map((status) => `${status.service} (${status.behind})`).join(', ')}. Upgrade each (\`${UPGRADE} <service>\`, or \`${UPGRADE} --all\`).\n`,
  );
  return 1;
});

const MAX_FILES_SHOWN = 3;

/** The table: one row per service, then what to do. */
export function formatReport(report: OutdatedReport): string {
  const rows = report.services.map((status) =>
    'error' in status ? [status.service, status.team ?? '—', `cannot read: ${status.error}`] : row(status),
  );
  const header = ['service', 'team', 'template commit', 'behind', 'drift', 'an upgrade would change'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.filter((cells) => cells.length > 3).map((cells) => cells[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column < cells.length - 1 ? cell.padEnd(widths[column] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  const behind = report.services.filter((status): status is ServiceStatus => 'behind' in status && status.behind > 0);
  const unreadable = report.services.filter((status): status is ServiceError => 'error' in status);
  const summary = [
    `${behind.length} of ${report.services.length} service${report.services.length === 1 ? '' : 's'} behind the template at HEAD (${report.head.slice(0, 7)})${behind.length > 0 ? `: \`${UPGRADE} <service>\` (or --team=<id>, --all) upgrades them` : ''}.`,
    ...(unreadable.length > 0
      ? [`${unreadable.length} service${unreadable.length === 1 ? '' : 's'} could not be read; the fix is in its row.`]
      : []),
  ];
  return `${[line(header), ...rows.map(line), '', ...summary].join('\n')}\n`;
}

function row(status: ServiceStatus): string[] {
  return [
    status.service,
    status.team ?? '—',
    `${status.commit.slice(0, 7)} ${status.date.slice(0, 10)}`,
    String(status.behind),
    status.drift.clean ? 'clean' : 'DRIFT',
    upgradeCell(status.upgrade),
  ];
}

function upgradeCell(upgrade: ServiceStatus['upgrade']): string {
  if ('refused' in upgrade) return `refused: ${upgrade.refused}`;
  const files = upgrade.platformFiles.map((file) =>
    file.kind === 'replaced' ? file.path : `${file.path} (${file.kind})`,
  );
  if (files.length === 0) return '—';
  return files.length > MAX_FILES_SHOWN
    ? `${files.slice(0, MAX_FILES_SHOWN).join(', ')} +${files.length - MAX_FILES_SHOWN} more`
    : files.join(', ');
}
