/**
 * What upgrading one service does to its files, decided from three versions of each: the old render (the template at
 * the recorded commit, with the recorded answers), the service's file, and the new render. Pure: it reads through
 * `read`, merges through `merge`, and writes nothing — the upgrade generator applies the plan to the Nx Tree, and
 * other tools (a report of who lags and what an upgrade would change, a benchmark) can plan without writing.
 */
import type { RenderedFile } from '@musiccorp/core/render';
import { findDrift, isTeamOwned, type DriftFinding } from '../../drift/drift';
import type { Merge, MergeLabels } from './merge-file';

export interface TemplateRender {
  files: readonly RenderedFile[];
  /** The teamOwned globs of that revision's template.json. */
  teamOwned: readonly string[];
}

export interface UpgradeInput {
  old: TemplateRender;
  next: TemplateRender;
  /** Files the template renamed between the two revisions, as rendered paths: old path → new path. */
  renames: ReadonlyMap<string, string>;
  /** The service's file at `path` (relative to its folder), or null when it has none. */
  read(path: string): Buffer | null;
  merge: Merge;
  labels(path: string): MergeLabels;
}

/** Paths are relative to the service folder; `renamedFrom` is the old path of a file the template renamed. */
export type FileChange =
  | { kind: 'replaced' | 'merged' | 'added'; path: string; content: Buffer; renamedFrom?: string }
  | { kind: 'conflicted'; path: string; content: Buffer; conflicts: number; renamedFrom?: string }
  | { kind: 'removed'; path: string };

export type ChangeKind = FileChange['kind'];

export interface UpgradePlan {
  changes: FileChange[];
  /** Removed by the new template, but the team changed them: kept, theirs now. */
  kept: string[];
  /** Team-owned files the team deleted: the upgrade does not bring them back. */
  notRecreated: string[];
}

/** Why the service cannot be upgraded as it is; both lists name files relative to its folder. */
export interface UpgradeRefusal {
  /** The drift check: platform-owned files (by the old template.json) that differ from the old render. */
  drift: DriftFinding[];
  /** Team-owned files the team changed that the new template.json makes platform-owned: a new render loses edits. */
  nowPlatformOwned: string[];
}

export type PlanOutcome = { plan: UpgradePlan } | { refused: UpgradeRefusal };

const EMPTY = Buffer.alloc(0);

/**
 * - platform-owned (by the NEW template.json): the new render, after the drift check found the file as the old
 *   template rendered it (a hand edit refuses the service: nothing of it is planned);
 * - team-owned: 3-way merge, base = old render, ours = the service's file, theirs = new render; a conflict is written
 *   with git's markers; a file the team deleted stays deleted;
 * - added by the template: created, or a conflict with the file the team already has there (never an overwrite);
 * - removed by the template: deleted when the team left it as rendered, else kept and reported;
 * - renamed by the template: followed — the merge happens at the new path and the old one goes — unless the team
 *   already has a file at the new path, then it is a removal plus an addition like any other.
 */
export function planUpgrade(input: UpgradeInput): PlanOutcome {
  const { old, next, read, merge, labels } = input;
  const oldByPath = new Map(old.files.map((file) => [file.path, file.content]));
  const nextByPath = new Map(next.files.map((file) => [file.path, file.content]));
  const followed = new Map<string, string>(); // new path → old path
  for (const [from, to] of input.renames) {
    if (oldByPath.has(from) && !nextByPath.has(from) && nextByPath.has(to) && !oldByPath.has(to) && !read(to))
      followed.set(to, from);
  }

  const refusal = refusalOf(input, followed);
  if (refusal) return { refused: refusal };

  const plan: UpgradePlan = { changes: [], kept: [], notRecreated: [] };
  for (const { path, content: theirs } of next.files) {
    const source = followed.get(path) ?? path;
    const renamedFrom = source === path ? {} : { renamedFrom: source };
    const base = oldByPath.get(source);
    const ours = read(source);
    const moved = source !== path;
    if (base === undefined) {
      if (ours === null) plan.changes.push({ kind: 'added', path, content: theirs });
      else if (!ours.equals(theirs)) plan.changes.push(merged(path, merge(EMPTY, ours, theirs, labels(path))));
    } else if (!isTeamOwned(path, next.teamOwned)) {
      // The refusal check made sure `ours` is the old render, or absent: the team deleted it while it was theirs.
      if (ours === null) plan.changes.push({ kind: 'added', path, content: theirs });
      else if (moved || !theirs.equals(ours))
        plan.changes.push({ kind: 'replaced', path, content: theirs, ...renamedFrom });
    } else if (ours === null) {
      plan.notRecreated.push(path);
    } else {
      const result = merge(base, ours, theirs, labels(path));
      if (moved || !result.content.equals(ours)) plan.changes.push({ ...merged(path, result), ...renamedFrom });
    }
  }
  const renamedAway = new Set(followed.values());
  for (const { path, content: base } of old.files) {
    if (nextByPath.has(path) || renamedAway.has(path)) continue;
    const ours = read(path);
    if (ours === null) continue;
    if (ours.equals(base)) plan.changes.push({ kind: 'removed', path });
    else plan.kept.push(path);
  }
  return { plan };
}

function merged(path: string, { content, conflicts }: { content: Buffer; conflicts: number }): FileChange {
  return conflicts > 0 ? { kind: 'conflicted', path, content, conflicts } : { kind: 'merged', path, content };
}

function refusalOf(input: UpgradeInput, followed: ReadonlyMap<string, string>): UpgradeRefusal | undefined {
  const { old, next, read } = input;
  const drift = findDrift(old.files, old.teamOwned, read);
  const newPathOf = new Map([...followed].map(([to, from]) => [from, to]));
  const nextPaths = new Set(next.files.map((file) => file.path));
  const nowPlatformOwned = old.files
    .filter(({ path, content }) => {
      const newPath = newPathOf.get(path) ?? path;
      if (!nextPaths.has(newPath) || isTeamOwned(newPath, next.teamOwned) || !isTeamOwned(path, old.teamOwned))
        return false;
      const ours = read(path);
      return ours !== null && !ours.equals(content);
    })
    .map((file) => file.path);
  return drift.length > 0 || nowPlatformOwned.length > 0 ? { drift, nowPlatformOwned } : undefined;
}
