import type { Tree } from '@nx/devkit';
import { parseCodeowners } from '@musiccorp/core/codeowners/codeowners-file';
import { OwnersMatcher } from '@musiccorp/core/codeowners/matcher';
import { CodeownersError, collectCodeowners } from './collect';
import { CODEOWNERS_FILE, EXTRA_FILE, renderCodeowners, type CodeownersInput } from './render';

export interface SyncResult {
  /** The CODEOWNERS text the workspace should have. */
  content: string;
  /** Whether the Tree's CODEOWNERS differed (and was written). */
  changed: boolean;
  /** What differs, one line each (`+ rule`, `- rule`), for `nx sync:check`. */
  details: string[];
}

/**
 * Renders CODEOWNERS from the Tree and writes it when it differs. The one entry point for the sync generator and
 * for every generator that changes ownership (service, team, transfer), so they leave CODEOWNERS in sync.
 */
export function syncCodeowners(tree: Tree): SyncResult {
  const input = collectCodeowners(tree);
  const content = renderCodeowners(input);
  assertProjectsKeepTheirTeams(content, input);
  const current = tree.read(CODEOWNERS_FILE, 'utf-8');
  if (current === content) return { content, changed: false, details: [] };
  tree.write(CODEOWNERS_FILE, content);
  return { content, changed: true, details: describeChanges(current, content) };
}

/** Owners GitHub would request for `path` under the CODEOWNERS text `content` (last matching rule wins). */
export function ownersOf(content: string, path: string): string[] {
  return new OwnersMatcher(parseCodeowners(content).rules).match(path).owners;
}

/** An extra rule must not take a project's folder from the team its tag names (`owners check` would fail). */
function assertProjectsKeepTheirTeams(content: string, input: CodeownersInput): void {
  const lines = content.split('\n');
  const matcher = new OwnersMatcher(parseCodeowners(content).rules);
  const problems: string[] = [];
  for (const project of input.projects) {
    const path = `${project.root}/project.json`;
    const { rule, owners } = matcher.match(path);
    if (owners.includes(project.handle)) continue;
    const text = rule ? (lines[rule.line - 1] ?? '').trim() : '(none)';
    problems.push(
      `the rule "${text}" in ${EXTRA_FILE} gives ${path} to ${owners.join(' ') || 'no one'}, but project "${project.name}" belongs to ${project.handle} (its team tag). Narrow the rule, or add ${project.handle} to its owners; to move the project, use: npx nx g @musiccorp/generators:transfer ${project.name} --to=<team>`,
    );
  }
  if (problems.length > 0) throw new CodeownersError(problems);
}

function describeChanges(before: string | null, after: string): string[] {
  if (before === null) return [`${CODEOWNERS_FILE} does not exist yet.`];
  const rules = (text: string) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
  const old = rules(before);
  const next = rules(after);
  const removed = old.filter((line) => !next.includes(line)).map((line) => `${CODEOWNERS_FILE}: - ${line}`);
  const added = next.filter((line) => !old.includes(line)).map((line) => `${CODEOWNERS_FILE}: + ${line}`);
  const changes = [...removed, ...added];
  return changes.length > 0
    ? changes
    : [`${CODEOWNERS_FILE}: the rules are the same, but their order, comments or blank lines differ.`];
}
