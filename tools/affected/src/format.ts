/** Output of `ci:affected`: the exact JSON shape CI consumes, and a table for people. */
import type { AffectedResult } from './affected';

/** One affected service as CI reads it: what the table's SERVICE, TEAM, REBUILD, DEPLOY, CHECKS and WHY columns show. */
export interface AffectedServiceJson {
  name: string;
  team: string | null;
  reasons: string[];
  /** A new artifact: the build inputs changed (REBUILD). */
  rebuild: boolean;
  /** Deployed again: a new artifact, or its deploy configuration changed (DEPLOY). */
  deploy: boolean;
  /** The checks to run: the targets reached that are not delivery stages (CHECKS). */
  checks: string[];
  /** Every target the change reaches, delivery stages included (`deploy` when deploy is true). */
  targets: string[];
}

export interface AffectedJson {
  services: AffectedServiceJson[];
}

export function toJson(result: AffectedResult): AffectedJson {
  return {
    services: result.services.map((s) => ({
      name: s.name,
      team: s.team,
      reasons: s.reasons.map((r) => r.text),
      rebuild: s.rebuild,
      deploy: s.redeploy,
      checks: checksOf(s),
      targets: s.targets,
    })),
  };
}

const MAX_REASONS_SHOWN = 10;
const MAX_FILES_SHOWN = 20;

/** The delivery chain (build → artifact → slow-test → perf → deploy) has its own columns; the rest are checks. */
const PIPELINE_STAGES = new Set(['build', 'artifact', 'slow-test', 'perf', 'deploy']);

const checksOf = (service: AffectedResult['services'][number]) =>
  service.targets.filter((target) => !PIPELINE_STAGES.has(target));

export function formatHuman(result: AffectedResult): string {
  const { revisions, services } = result;
  const head = revisions.head.sha ? `${revisions.head.ref} (${revisions.head.sha.slice(0, 7)})` : revisions.head.ref;
  const lines: string[] = [];
  lines.push(
    `Affected services: ${services.length} of ${result.totalServices}   ` +
      `[${revisions.base.ref} (${revisions.mergeBase.slice(0, 7)}) → ${head}, ${result.changedFiles.length} changed file(s)]`,
  );
  lines.push('');
  if (services.length) {
    const rows = services.map((s) => {
      const reasons = s.reasons.map((r) => r.text);
      const shown =
        reasons.length > MAX_REASONS_SHOWN
          ? [...reasons.slice(0, MAX_REASONS_SHOWN), `… ${reasons.length - MAX_REASONS_SHOWN} more`]
          : reasons;
      const checks = checksOf(s);
      return [
        s.name,
        s.team ?? '-',
        s.rebuild ? 'yes' : 'no',
        s.redeploy ? 'yes' : 'no',
        checks.join(',') || '-',
        shown,
      ] as const;
    });
    const header = ['SERVICE', 'TEAM', 'REBUILD', 'DEPLOY', 'CHECKS', 'WHY'] as const;
    const widths = header.slice(0, 5).map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
    const pad = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
    lines.push(`${pad(header.slice(0, 5))}  ${header[5]}`);
    for (const row of rows) {
      const [first, ...rest] = row[5];
      lines.push(`${pad(row.slice(0, 5) as string[])}  ${first ?? ''}`);
      for (const reason of rest) lines.push(`${pad(['', '', '', '', ''])}  ${reason}`);
    }
    lines.push('');
    lines.push('REBUILD: the build inputs (nx.json `production` + dependencies) changed, so the artifact changes.');
    lines.push(
      'CHECKS: targets whose inputs changed. Affected with REBUILD no = run the checks only; the artifact is unchanged.',
    );
  } else {
    lines.push('No service is affected.');
  }
  if (result.removedProjects.length) {
    lines.push('');
    lines.push('Removed (not in the head any more):');
    for (const p of result.removedProjects) {
      const what = p.service ? 'a service: decommission its deployment' : 'not a service';
      lines.push(`  ${p.name} (${p.root}/, ${p.files} files deleted) — ${what}`);
    }
  }
  if (result.noServiceFiles.length) {
    lines.push('');
    lines.push('Changed files that affect no service:');
    const shown = result.noServiceFiles.slice(0, MAX_FILES_SHOWN);
    const width = Math.max(...shown.map((f) => f.file.length));
    for (const f of shown) {
      lines.push(
        `  ${f.file.padEnd(width)}  → ${f.projects.length ? `${f.projects.join(', ')} (not services)` : 'no project'}`,
      );
    }
    if (result.noServiceFiles.length > shown.length)
      lines.push(`  … ${result.noServiceFiles.length - shown.length} more`);
  }
  if (result.otherProjects.length) {
    lines.push('');
    lines.push(`Other affected projects: ${result.otherProjects.map((p) => p.name).join(', ')}`);
  }
  for (const note of result.notes) lines.push('', `Note: ${note}`);
  return `${lines.join('\n')}\n`;
}
