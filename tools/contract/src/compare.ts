/**
 * Which services' committed contracts differ between two revisions, and how: `git diff --name-only` (plus untracked
 * files when the head is the working tree) finds the changed contract files, both sides are read (`git cat-file` at
 * a commit, the disk for the working tree) and the engine (diff/) classifies every change.
 *
 * A contract absent at the base is new (nothing to break); one absent at the head was removed. A side that is not
 * JSON, or that the engine refuses, is a UsageError naming the file, the side and the fix: nothing is classified then.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '@musiccorp/core/cli';
import { eventTypesOf } from '@musiccorp/core/consumers';
import { filesIn, git } from '@musiccorp/core/git';
import { CONTRACT_FILES, contractFileOf, type ContractKind } from '@musiccorp/core/service-layout';
import { diffEventContracts } from './diff/events';
import { diffHttpContracts } from './diff/openapi';
import { InvalidContractError, type ContractChange, type DocumentRole } from './diff/types';
import { parseSemver } from './diff/version';

export type { ContractKind } from '@musiccorp/core/service-layout';

export interface ContractKindInfo {
  /** "HTTP API", "events": as in "catalog's HTTP API". */
  what: string;
  /** Where the service's code sets the contract's info.version. */
  version: { constant: string; source: string };
}

export const CONTRACT_KINDS: Readonly<Record<ContractKind, ContractKindInfo>> = {
  http: { what: 'HTTP API', version: { constant: 'apiVersion', source: 'src/routes/index.ts' } },
  events: { what: 'events', version: { constant: 'eventsVersion', source: 'src/events/index.ts' } },
};
const KINDS = Object.keys(CONTRACT_FILES) as ContractKind[];

export const contractPath = (serviceRoot: string, kind: ContractKind) =>
  `${serviceRoot}/contract/${CONTRACT_FILES[kind]}`;

/** Every service's contract files, as git pathspecs. */
const CONTRACT_PATHSPECS = KINDS.map((kind) => `:(glob)services/*/contract/${CONTRACT_FILES[kind]}`);

export interface Revision {
  /** undefined: the working tree (HEAD plus uncommitted and untracked files). */
  commit: string | undefined;
  /** How output names it: `1a2b3c4`, `working tree`. */
  label: string;
}

export interface ContractComparison {
  /** The service's folder, `services/<name>`. */
  root: string;
  kind: ContractKind;
  file: string;
  /** new: absent at the base; removed: absent at the head; changed: the file differs. */
  status: 'new' | 'changed' | 'removed';
  baseVersion: string | null;
  headVersion: string | null;
  /** What the engine found; for a new or removed contract, nothing (the status says it). */
  changes: ContractChange[];
  /** For events: the CloudEvents types the contract declares at the base or the head (consumers match on them). */
  eventTypes: string[];
}

/** The contract files that differ between `base` (a commit) and `head`, in the repository at `root` (its top). */
export function changedContractFiles(root: string, base: string, head: Revision): string[] {
  const range = head.commit === undefined ? [base] : [base, head.commit];
  const diffed = git(root, ['diff', '--name-only', '-z', '--no-renames', ...range, '--', ...CONTRACT_PATHSPECS]);
  const untracked =
    head.commit === undefined
      ? git(root, ['ls-files', '-z', '--others', '--exclude-standard', '--', ...CONTRACT_PATHSPECS])
      : '';
  return [...new Set([...diffed.split('\0'), ...untracked.split('\0')].filter(Boolean))].sort();
}

/** The contract files that exist at the revision, of the services under `roots`. */
export function contractFilesAt(root: string, revision: Revision, roots: readonly string[]): Set<string> {
  const candidates = roots.flatMap((serviceRoot) => KINDS.map((kind) => contractPath(serviceRoot, kind)));
  if (revision.commit === undefined) return new Set(candidates.filter((file) => existsSync(join(root, file))));
  const listed = new Set(git(root, ['ls-tree', '-r', '-z', '--name-only', revision.commit, 'services/']).split('\0'));
  return new Set(candidates.filter((file) => listed.has(file)));
}

/** Reads the files at a revision: the disk for the working tree, one `git cat-file` for a commit. */
export function readAt(root: string, revision: Revision, paths: readonly string[]): Map<string, string> {
  return filesIn(root, revision.commit, paths);
}

/**
 * Compares every changed contract of the services under `roots` (all of them when undefined) between the base
 * commit and the head, in file order.
 */
export function compareContracts(
  root: string,
  base: Revision & { commit: string },
  head: Revision,
  roots?: ReadonlySet<string>,
): ContractComparison[] {
  const changed = changedContractFiles(root, base.commit, head).flatMap((file) => {
    const of = contractFileOf(file);
    return of && (!roots || roots.has(of.root)) ? [{ file, ...of }] : [];
  });
  const files = changed.map(({ file }) => file);
  const baseTexts = readAt(root, base, files);
  const headTexts = readAt(root, head, files);
  const comparisons: ContractComparison[] = [];
  for (const { file, root: serviceRoot, kind } of changed) {
    const sides: Record<DocumentRole, Revision> = { base, head };
    const parse = (role: DocumentRole, text: string | undefined) =>
      text === undefined ? undefined : parseContract(where(file, sides[role], role), text);
    const before = parse('base', baseTexts.get(file));
    const after = parse('head', headTexts.get(file));
    if (before === undefined && after === undefined) continue; // added and removed again in the working tree
    const changes = before !== undefined && after !== undefined ? classify(file, kind, sides, before, after) : [];
    comparisons.push({
      root: serviceRoot,
      kind,
      file,
      status: before === undefined ? 'new' : after === undefined ? 'removed' : 'changed',
      baseVersion: before === undefined ? null : versionOf(where(file, base, 'base'), before),
      headVersion: after === undefined ? null : versionOf(where(file, head, 'head'), after),
      changes,
      eventTypes: kind === 'events' ? [...new Set([...eventTypesOf(before), ...eventTypesOf(after)])].sort() : [],
    });
  }
  return comparisons;
}

/** `services/catalog/contract/openapi.json at the base (1a2b3c4)`: the file and the side a message is about. */
const where = (file: string, revision: Revision, role: DocumentRole) => `${file} at the ${role} (${revision.label})`;

const REGENERATE = 'regenerate it from the code with `npx nx sync` (after resolving any merge conflict in it)';

function parseContract(side: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${side} is not valid JSON (${(error as Error).message}). Fix: ${REGENERATE}.`);
  }
}

function classify(
  file: string,
  kind: ContractKind,
  sides: Record<DocumentRole, Revision>,
  before: unknown,
  after: unknown,
): ContractChange[] {
  try {
    return kind === 'http' ? diffHttpContracts(before, after) : diffEventContracts(before, after);
  } catch (error) {
    if (!(error instanceof InvalidContractError)) throw error;
    const role = error.document;
    const side = role ? where(file, sides[role], role) : `${file} (${sides.base.label} → ${sides.head.label})`;
    throw new UsageError(`${side}: ${error.message}`);
  }
}

/** info.version, which must be semver: the version rule compares the two sides' majors. */
function versionOf(side: string, document: unknown): string {
  const version = (document as { info?: { version?: unknown } } | null)?.info?.version;
  if (typeof version === 'string' && parseSemver(version)) return version;
  throw new UsageError(
    `${side}: info.version is ${version === undefined ? 'missing' : `"${String(version)}"`}, ` +
      `not semver x.y.z. Fix: ${REGENERATE}; the version comes from the service's code.`,
  );
}
