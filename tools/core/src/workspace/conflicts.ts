/**
 * The conflicts `npm run platform-upgrade` writes into a team workspace's copied platform files, and finding those
 * still unresolved. The lint rule `musiccorp/no-conflict-markers` sees services/** only, and copied files may show
 * conflict markers on purpose (a README explaining how a conflict looks), so only a conflict with the upgrade's own
 * labels, closing on the platform commit platform.json records, counts: `npm test` runs nothing else while one is
 * left (a conflict never reaches a build), and the next upgrade refuses to start.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DERIVED } from './platform-files';
import { PLATFORM_FILE, type PlatformProvenance } from './provenance';

const short = (commit: string) => commit.slice(0, 7);
const OURS_PREFIX = 'workspace (yours, on platform ';

/** git merge-file's labels: `<<<<<<< workspace (yours, on platform 1fdc7b5)` … `>>>>>>> platform c9be832`. */
export function upgradeConflictLabels(from: string, to: string): { ours: string; base: string; theirs: string } {
  return { ours: `${OURS_PREFIX}${short(from)})`, base: `platform ${short(from)}`, theirs: `platform ${short(to)}` };
}

export interface UnresolvedConflict {
  path: string;
  /** The 1-based lines of its markers. */
  lines: number[];
}

/**
 * The copied files (and the derived package.json and package-lock.json) holding a conflict the last upgrade wrote:
 * opened by `<<<<<<< workspace (yours, on platform …)`, closed by `>>>>>>> platform <platformCommit>`. Nothing without
 * platform.json (the platform itself).
 */
export function unresolvedUpgradeConflicts(root: string): UnresolvedConflict[] {
  const record = join(root, PLATFORM_FILE);
  if (!existsSync(record)) return [];
  const { copied, platformCommit } = JSON.parse(readFileSync(record, 'utf8')) as Partial<PlatformProvenance>;
  if (typeof platformCommit !== 'string') return [];
  const closing = `>>>>>>> platform ${short(platformCommit)}`;
  return [...(copied ?? []), ...DERIVED].flatMap((path) => {
    const file = join(root, path);
    if (!existsSync(file) || !statSync(file).isFile()) return []; // a platform file the team deleted
    const lines = markerLines(readFileSync(file, 'utf8'), closing);
    return lines.length > 0 ? [{ path, lines }] : [];
  });
}

/** The lines of every conflict between an opening with the upgrade's label and `closing`, with its separators. */
function markerLines(text: string, closing: string): number[] {
  const lines: number[] = [];
  let open: number[] | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    if (line.startsWith(`<<<<<<< ${OURS_PREFIX}`)) open = [index + 1];
    else if (open && /^(={7}|\|{7}( .*)?)$/.test(line)) open.push(index + 1);
    else if (open && line === closing) {
      lines.push(...open, index + 1);
      open = undefined;
    } else if (/^>{7}( |$)/.test(line)) open = undefined;
  });
  return lines;
}

export function describeUnresolvedConflicts(conflicts: readonly UnresolvedConflict[]): string {
  return [
    `Unresolved conflicts of the platform upgrade in ${conflicts.length} file${conflicts.length === 1 ? '' : 's'}:`,
    ...conflicts.map(({ path, lines }) => `  ${path}: line${lines.length === 1 ? '' : 's'} ${lines.join(', ')}`),
    'Fix: in each, keep what you want between <<<<<<< (yours) and >>>>>>> (the platform’s) and delete the marker lines.',
  ].join('\n');
}
