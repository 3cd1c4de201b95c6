/**
 * `owners reviewers --base=<ref> [--head=<ref>]`: whose approval a change needs.
 *
 * Mirrors a GitHub pull request from head into base:
 *  - the files are those of `git diff base...head` (from the merge base, like the PR's "Files changed"), added,
 *    modified, deleted and renamed — a rename counts under BOTH its old and its new path, since it removes a file from
 *    one owner and adds one to another;
 *  - CODEOWNERS is read from the base commit, not the head: GitHub evaluates the base branch's file, so a PR cannot
 *    change who must approve it by editing CODEOWNERS.
 * Each approval is one group of owners of which ANY one may approve (a rule `/x/ @a @b` is satisfied by @a or @b).
 */
import {
  CODEOWNERS_LOCATIONS,
  MAX_CODEOWNERS_BYTES,
  parseCodeowners,
  type CodeownersFile,
} from '@musiccorp/core/codeowners/codeowners-file';
import { diffChanges, firstFileAt, resolveCommits, type Change } from './git';
import { OwnersMatcher } from '@musiccorp/core/codeowners/matcher';
import { resolveOwners, type WhoJson } from './who';

export interface Approval {
  /** Any one of these owners can approve the files. */
  owners: string[];
  files: string[];
  /**
   * Why beyond CODEOWNERS, when there is more: a consumer team asked because a contract it consumes breaks
   * (consumer-reviewers.ts), e.g. "order-processor consumes catalog's HTTP API: 2 breaking changes".
   */
  reasons?: string[];
}

export interface ReviewersResult {
  base: string;
  head: string;
  baseCommit: string;
  headCommit: string;
  /** Where CODEOWNERS was read: `<path>` at the base commit, or null when the base has none GitHub would load. */
  codeowners: string | null;
  approvals: Approval[];
  unowned: string[];
  changes: Change[];
  files: WhoJson[];
  warnings: string[];
}

/** The CODEOWNERS GitHub uses for a pull request into `baseCommit`: the first location present in that commit. */
export function codeownersAt(repo: string, commit: string): { file: CodeownersFile | null; warnings: string[] } {
  const found = firstFileAt(repo, commit, CODEOWNERS_LOCATIONS);
  if (!found) return { file: null, warnings: ['the base has no CODEOWNERS file: every file is unowned'] };
  const { path, text } = found;
  if (Buffer.byteLength(text) >= MAX_CODEOWNERS_BYTES) {
    return {
      file: null,
      warnings: [`${path} at the base is 3 MB or more; GitHub ignores it, so every file is unowned`],
    };
  }
  const file = parseCodeowners(text, path);
  return {
    file,
    warnings: file.problems.map(
      (problem) => `${path}:${problem.line} (base): ${problem.message} — skipped, as GitHub does`,
    ),
  };
}

export interface ReviewersOptions {
  repo: string;
  base: string;
  head?: string;
}

export function reviewers(options: ReviewersOptions): ReviewersResult {
  // Three git processes in all (rev-parse, diff, cat-file): git runs from any folder of the work tree and always
  // reports repo-relative paths here, so the top-level folder is not needed.
  const root = options.repo;
  const head = options.head ?? 'HEAD';
  const { baseCommit, headCommit } = resolveCommits(root, options.base, head);
  const changes = diffChanges(root, baseCommit, headCommit);
  const { file, warnings } = codeownersAt(root, baseCommit);
  const matcher = new OwnersMatcher(file?.rules ?? []);

  const paths = new Set<string>();
  for (const change of changes) {
    if (change.oldPath !== undefined) paths.add(change.oldPath);
    paths.add(change.path);
  }
  const files = [...paths].map((path) => {
    const { owners, line } = resolveOwners(matcher, path);
    return { path, owners, line };
  });

  const groups = new Map<string, Approval>();
  const unowned: string[] = [];
  for (const entry of files) {
    if (entry.owners.length === 0) {
      unowned.push(entry.path);
      continue;
    }
    const owners = [...new Set(entry.owners)].sort();
    const key = owners.join(' ');
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { owners, files: [] }));
    group.files.push(entry.path);
  }
  const approvals = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
  for (const group of approvals) group.files.sort();
  unowned.sort();

  return {
    base: options.base,
    head,
    baseCommit,
    headCommit,
    codeowners: file?.path ?? null,
    approvals,
    unowned,
    changes,
    files,
    warnings,
  };
}

/** The `--json` document: everything but the warnings (those go to stderr). */
export function reviewersJson(result: ReviewersResult) {
  const { base, head, baseCommit, headCommit, codeowners, approvals, unowned, changes, files } = result;
  return { base, head, baseCommit, headCommit, codeowners, approvals, unowned, changes, files };
}

export function formatReviewers(result: ReviewersResult): string {
  const source = result.codeowners
    ? `${result.codeowners} at ${result.base} (${result.baseCommit.slice(0, 12)})`
    : 'no CODEOWNERS at the base';
  const lines = [
    `${result.changes.length} changed file${result.changes.length === 1 ? '' : 's'} in ${result.base}...${result.head}; owners from ${source}.`,
  ];
  if (result.approvals.length === 0) lines.push('', 'No approvals from code owners needed.');
  else lines.push('', `Approvals needed (${result.approvals.length}):`);
  for (const approval of result.approvals) {
    const who = `${approval.owners.length === 1 ? '' : 'one of '}${approval.owners.join(', ')}`;
    lines.push(`  ${who} — ${approval.files.length} file${approval.files.length === 1 ? '' : 's'}`);
    for (const reason of approval.reasons ?? []) lines.push(`      (${reason})`);
    for (const file of approval.files) lines.push(`      ${file}`);
  }
  if (result.unowned.length > 0) {
    lines.push('', `Unowned (${result.unowned.length}): any reviewer with write access can approve these.`);
    for (const file of result.unowned) lines.push(`      ${file}`);
  }
  return lines.join('\n');
}
