/**
 * `owners who <path…>`: the owners GitHub assigns to each path, from the CODEOWNERS file in the working tree (the one
 * GitHub will use once it is committed). Paths are repo-relative; absolute paths are made relative to the repo.
 */
import { isAbsolute, relative } from 'node:path';
import {
  findCodeowners,
  MAX_CODEOWNERS_BYTES,
  parseCodeowners,
  type CodeownersFile,
  type Rule,
} from '@musiccorp/core/codeowners/codeowners-file';
import { UsageError } from '@musiccorp/core/cli';
import { repoRoot } from './git';
import { normalizePath, OwnersMatcher } from '@musiccorp/core/codeowners/matcher';

/** The `--json` shape, exactly: `owners: []` and `line: null` when the path is unowned. */
export interface WhoJson {
  path: string;
  owners: string[];
  line: number | null;
}

export interface WhoEntry extends WhoJson {
  /** The rule that decided, also when it has no owners (it then makes the path unowned). */
  rule: Rule | null;
}

export interface WhoResult {
  /** Repo-relative CODEOWNERS location, or null when GitHub would find none (or one too large to load). */
  codeowners: string | null;
  warnings: string[];
  entries: WhoEntry[];
}

/** Loads the working tree's CODEOWNERS as GitHub would: the first location found; over 3 MB means none. */
export function loadCodeowners(repo: string): { file: CodeownersFile | null; warnings: string[] } {
  const found = findCodeowners(repo);
  if (!found)
    return {
      file: null,
      warnings: ['no CODEOWNERS file (.github/CODEOWNERS, CODEOWNERS or docs/CODEOWNERS): every path is unowned'],
    };
  if (found.bytes >= MAX_CODEOWNERS_BYTES) {
    return {
      file: null,
      warnings: [
        `${found.path} is ${found.bytes} bytes; GitHub ignores CODEOWNERS files of 3 MB or more, so every path is unowned`,
      ],
    };
  }
  const file = parseCodeowners(found.text, found.path);
  const warnings = file.problems.map(
    (problem) => `${found.path}:${problem.line}: ${problem.message} — skipped, as GitHub does`,
  );
  return { file, warnings };
}

export function resolveOwners(matcher: OwnersMatcher, path: string): WhoEntry {
  const { rule, owners } = matcher.match(path);
  return { path, owners, line: rule && owners.length > 0 ? rule.line : null, rule };
}

export function toRepoPath(root: string, path: string): string {
  const relativePath = isAbsolute(path) ? relative(root, path) : path;
  const normalized = normalizePath(relativePath);
  if (normalized === '' || relativePath.startsWith('..')) {
    throw new UsageError(
      `"${path}" is not a path inside the repository ${root}. Give paths relative to the repository root.`,
    );
  }
  return normalized;
}

export function who(repo: string, paths: readonly string[]): WhoResult {
  const root = repoRoot(repo);
  const { file, warnings } = loadCodeowners(root);
  const matcher = new OwnersMatcher(file?.rules ?? []);
  return {
    codeowners: file?.path ?? null,
    warnings,
    entries: paths.map((path) => resolveOwners(matcher, toRepoPath(root, path))),
  };
}

export function whoJson(result: WhoResult): WhoJson[] {
  return result.entries.map(({ path, owners, line }) => ({ path, owners, line }));
}

export function formatWho(result: WhoResult): string {
  const width = Math.min(60, Math.max(...result.entries.map((entry) => entry.path.length)));
  return result.entries
    .map((entry) => {
      const where = (rule: Rule) => `${result.codeowners}:${rule.line}`;
      const owners = !entry.rule
        ? '(unowned: no rule matches)' // and so no owners
        : entry.owners.length > 0
          ? `${entry.owners.join(' ')}  (${where(entry.rule)})`
          : `(unowned: ${where(entry.rule)} "${entry.rule.pattern.source}" has no owners)`;
      return `${entry.path.padEnd(width)}  ${owners}`;
    })
    .join('\n');
}
