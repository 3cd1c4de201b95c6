/**
 * What a platform upgrade does to each file a team workspace copied from the platform, planned before anything is
 * written: base = the platform's file at the commit platform.json records, theirs = the platform's file at the new
 * commit, ours = the workspace's file, merged with `git merge-file` (the service upgrade's merge). The derived
 * package.json / package-lock.json are merged key by key between what the workspace creator derives from each commit.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { DERIVED, isCopied } from '@musiccorp/core/workspace/platform-files';
import type { PlatformProvenance } from '@musiccorp/core/workspace/provenance';
import {
  withoutEmptyTestTarget,
  workspacePackageJson,
  workspacePackageLock,
  type WorkspacePackage,
} from '@musiccorp/core/workspace/transforms';
import type { Merge, MergeLabels } from '../upgrade/lib/merge-file';
import { mergeJson, parseJsonObject } from './json-merge';
import type { PlatformRepository, TreeEntry } from './platform-repository';

/** What happened to a file, in the order the report lists them. */
export const OUTCOMES = ['updated', 'merged', 'conflicted', 'added', 'removed', 'kept', 'not restored'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What an outcome means, said in the report where the name alone does not say it. */
export const OUTCOME_MEANING: Readonly<Partial<Record<Outcome, string>>> = {
  updated: "files you had not changed, now the platform's new version",
  kept: 'removed by the platform but changed by you: yours now, no longer a platform file',
  'not restored': 'changed by the platform but deleted by you: stays deleted',
};

export interface FileChange {
  path: string;
  outcome: Outcome;
  /** The file's new content; none for removed (deleted), kept and not restored (left as they are). */
  content?: Buffer;
  /** Set when the platform made the file executable or not (a new file, a changed mode). */
  executable?: boolean;
  conflicts?: number;
  /** Said next to the file in the report. */
  note?: string;
}

export interface PlatformUpgradePlan {
  changes: FileChange[];
  /** platform.json's `copied` after the upgrade: the files the new commit gives a workspace. */
  copied: string[];
  /** package.json or package-lock.json changes: the team runs `npm install`. */
  packagesChanged: boolean;
}

export interface PlanInput {
  /** The workspace's root. */
  root: string;
  recorded: PlatformProvenance;
  platform: PlatformRepository;
  /** The recorded commit and the commit upgraded to. */
  from: string;
  to: string;
  merge: Merge;
  labels: MergeLabels;
}

/** A file's content and mode on one side of the merge. */
interface Side {
  content: Buffer;
  executable: boolean;
}

export function planPlatformUpgrade(input: PlanInput): PlatformUpgradePlan {
  const { root, recorded, platform, from, to } = input;
  const [oldTree, newTree] = [platform.tree(from), platform.tree(to)];
  const oldCopied = new Set(recorded.copied);
  const copied = [...newTree.keys()].filter(isCopied).sort();
  const newCopied = new Set(copied);
  const side = (tree: Map<string, TreeEntry>, paths: ReadonlySet<string>, path: string): Side | null => {
    const entry = tree.get(path);
    if (!entry || !paths.has(path)) return null;
    const content = platform.blob(entry.blob);
    return {
      // As the workspace creator copied it: a project.json whose project lost its specs has no test target.
      content:
        posix.basename(path) === 'project.json'
          ? Buffer.from(withoutEmptyTestTarget(content.toString('utf8'), posix.dirname(path), [...paths]))
          : content,
      executable: entry.mode === '100755',
    };
  };

  const changes: FileChange[] = [];
  for (const path of [...new Set([...oldCopied, ...copied])].sort()) {
    const [oldEntry, newEntry] = [oldTree.get(path), newTree.get(path)];
    const unchanged =
      oldCopied.has(path) &&
      newCopied.has(path) &&
      oldEntry?.blob === newEntry?.blob &&
      oldEntry?.mode === newEntry?.mode &&
      posix.basename(path) !== 'project.json';
    if (unchanged) continue;
    const change = planFile(
      path,
      side(oldTree, oldCopied, path),
      side(newTree, newCopied, path),
      workspaceFile(root, path),
      input,
    );
    if (change) changes.push(change);
  }

  const packageChanges = planPackageFiles(input, oldTree, newTree, oldCopied, newCopied);
  return {
    changes: [...changes, ...packageChanges].sort((a, b) => (a.path < b.path ? -1 : 1)),
    copied,
    packagesChanged: packageChanges.some((change) => change.content !== undefined),
  };
}

/** One copied file: base = the platform's at the recorded commit, theirs = at the new one, ours = the workspace's. */
function planFile(
  path: string,
  base: Side | null,
  theirs: Side | null,
  ours: Side | null,
  { merge, labels }: Pick<PlanInput, 'merge' | 'labels'>,
): FileChange | undefined {
  if (theirs === null) {
    if (ours === null) return undefined; // gone on both sides
    return base !== null && ours.content.equals(base.content)
      ? { path, outcome: 'removed' }
      : { path, outcome: 'kept' };
  }
  const contentUnchanged = base !== null && base.content.equals(theirs.content);
  if (ours === null) {
    if (base === null) return { path, outcome: 'added', ...theirs };
    return contentUnchanged ? undefined : { path, outcome: 'not restored' };
  }
  const mode = base === null || base.executable !== theirs.executable ? { executable: theirs.executable } : {};
  if (contentUnchanged) {
    // Only the mode changed.
    return ours.executable === theirs.executable
      ? undefined
      : { path, outcome: 'updated', content: ours.content, ...mode };
  }
  // A file new in the platform that the workspace already has merges against an empty base: never an overwrite.
  const result = merge(base?.content ?? Buffer.alloc(0), ours.content, theirs.content, labels);
  if (result.conflicts > 0)
    return { path, outcome: 'conflicted', content: result.content, conflicts: result.conflicts, ...mode };
  // The workspace already has the platform's change.
  if (result.content.equals(ours.content) && (mode.executable ?? ours.executable) === ours.executable) return undefined;
  return {
    path,
    outcome: base !== null && ours.content.equals(base.content) ? 'updated' : 'merged',
    content: result.content,
    ...mode,
  };
}

/**
 * package.json and package-lock.json, derived by the workspace creator from the platform's (transforms.ts): what it
 * derives from each commit, for this workspace's name, version and description and the files each commit copies, is
 * the base and theirs of a merge key by key with the workspace's. The platform's new dependency versions, overrides and
 * scripts come in; the workspace's name and its own scripts and dependencies stay. In package.json a key both changed
 * is a conflict, written with markers by a line merge; in the lockfile, npm's output rather than a decision, the
 * platform's entry is taken and `npm install` reconciles it with package.json.
 */
function planPackageFiles(
  input: PlanInput,
  oldTree: Map<string, TreeEntry>,
  newTree: Map<string, TreeEntry>,
  oldCopied: ReadonlySet<string>,
  newCopied: ReadonlySet<string>,
): FileChange[] {
  const { root, platform, merge, labels } = input;
  const [packageJson, packageLock] = DERIVED;
  const platformText = (tree: Map<string, TreeEntry>, path: string) => {
    const entry = tree.get(path);
    return entry ? platform.blob(entry.blob).toString('utf8') : undefined;
  };
  const oursPackage = workspaceFile(root, packageJson);
  if (oursPackage === null) return [];
  const identity = workspaceIdentity(oursPackage.content.toString('utf8'));

  const derive = {
    [packageJson]: workspacePackageJson,
    [packageLock]: workspacePackageLock,
  } as const;
  const changes: FileChange[] = [];
  for (const path of DERIVED) {
    const [oldPlatform, newPlatform] = [platformText(oldTree, path), platformText(newTree, path)];
    if (oldPlatform === undefined || newPlatform === undefined) continue;
    const base = derive[path](oldPlatform, identity, (file) => oldCopied.has(file));
    const theirs = derive[path](newPlatform, identity, (file) => newCopied.has(file));
    if (base === theirs) continue;
    const ours = path === packageJson ? oursPackage : workspaceFile(root, path);
    if (ours === null) {
      changes.push({ path, outcome: 'not restored' });
      continue;
    }
    const oursText = ours.content.toString('utf8');
    const keyed = mergeJson(
      parseJsonObject(base, `${path} as the platform's ${input.from.slice(0, 7)} derives it`),
      parseJsonObject(oursText, `The workspace's ${path}`),
      parseJsonObject(theirs, `${path} as the platform's ${input.to.slice(0, 7)} derives it`),
      // A lockfile entry's version, resolved and integrity belong together: never mixed from two sides.
      path === packageLock ? (keys) => keys.length === 2 && keys[0] === 'packages' && keys[1] !== '' : undefined,
    );
    const outcome = oursText === base ? 'updated' : 'merged';
    if (keyed.conflicts.length > 0 && path === packageJson) {
      const result = merge(Buffer.from(base), ours.content, Buffer.from(theirs), labels);
      changes.push({
        path,
        outcome: result.conflicts > 0 ? 'conflicted' : outcome,
        content: result.content,
        conflicts: result.conflicts,
        note: `you and the platform both changed ${keyed.conflicts.join(', ')}`,
      });
      continue;
    }
    const content = `${JSON.stringify(keyed.value, null, 2)}\n`;
    if (content === oursText) continue;
    changes.push({
      path,
      outcome,
      content: Buffer.from(content),
      ...(keyed.conflicts.length > 0 && {
        note: `the platform's entries taken where you had changed them too (${keyed.conflicts.join(', ')}); \`npm install\` reconciles them with package.json`,
      }),
    });
  }
  return changes;
}

/** The workspace's own name, version and description, which the derived package files keep. */
function workspaceIdentity(packageJson: string): WorkspacePackage {
  const pkg = parseJsonObject(packageJson, "The workspace's package.json");
  const text = (key: string) => {
    const value = pkg[key];
    return typeof value === 'string' ? value : '';
  };
  return { name: text('name'), version: text('version'), description: text('description') };
}

function workspaceFile(root: string, path: string): Side | null {
  const file = join(root, path);
  try {
    const stats = statSync(file);
    if (!stats.isFile()) return null;
    return { content: readFileSync(file), executable: (stats.mode & 0o111) !== 0 };
  } catch {
    return null;
  }
}
