/**
 * `owners check`: validates the CODEOWNERS file GitHub would use against the repository and the teams registry.
 * Every finding names a place (`file:line`, or the file/folder concerned) and a fix; the check is clean only when
 * there is none. Files are those `git ls-files` lists (what GitHub sees after a push); CODEOWNERS and
 * platform/teams.json are read from the working tree, so the check can run before committing.
 *
 * Policy choices (beyond GitHub's own errors):
 *  - an owner must be a registered team, or a member of one (see teams.ts);
 *  - every tracked file and every Nx project (a folder with project.json) must have an owner — a rule without owners
 *    is legal on GitHub, but here it is reported, naming the rule that leaves the files unowned;
 *  - an Nx project tagged `team:<id>` must be owned by that team's handle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  findCodeowners,
  MAX_CODEOWNERS_BYTES,
  parseCodeowners,
  type Rule,
} from '@musiccorp/core/codeowners/codeowners-file';
import { repoRoot, trackedFiles } from './git';
import { OwnersMatcher } from '@musiccorp/core/codeowners/matcher';
import { matchesPath, subsumes } from '@musiccorp/core/codeowners/pattern';
import { git } from '@musiccorp/core/git';
import { loadRegistry, ORG, ownerProblem, TEAMS_FILE } from '@musiccorp/core/teams';

export type FindingKind =
  | 'no-codeowners'
  | 'ignored-codeowners'
  | 'too-large'
  | 'syntax'
  | 'unknown-owner'
  | 'registry'
  | 'no-match'
  | 'duplicate'
  | 'shadowed'
  | 'unowned-files'
  | 'unowned-project'
  | 'project-team';

export interface Finding {
  kind: FindingKind;
  file: string;
  /** 1-based, or null when the finding is about a whole file or folder. */
  line: number | null;
  message: string;
  fix: string;
}

export interface CheckResult {
  ok: boolean;
  codeowners: string | null;
  stats: { rules: number; trackedFiles: number; projects: number; unownedFiles: number };
  findings: Finding[];
}

const TEAM_PLACEHOLDER = `@${ORG}/<team>`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function check(repo: string): Promise<CheckResult> {
  const root = repoRoot(repo);
  const findings: Finding[] = [];
  const files = trackedFiles(root);

  const found = findCodeowners(root);
  let rules: Rule[] = [];
  if (!found) {
    findings.push({
      kind: 'no-codeowners',
      file: 'CODEOWNERS',
      line: null,
      message: 'no CODEOWNERS file in .github/, the root or docs/: nothing has an owner',
      fix: `create CODEOWNERS starting with a catch-all rule, e.g. "* ${TEAM_PLACEHOLDER}"`,
    });
  } else {
    for (const ignored of found.ignored) {
      findings.push({
        kind: 'ignored-codeowners',
        file: ignored,
        line: null,
        message: `GitHub ignores this file because ${found.path} comes first (.github/, then the root, then docs/)`,
        fix: `merge its rules into ${found.path} and delete it`,
      });
    }
    if (found.bytes >= MAX_CODEOWNERS_BYTES) {
      findings.push({
        kind: 'too-large',
        file: found.path,
        line: null,
        message: `is ${found.bytes} bytes; GitHub does not load CODEOWNERS files of 3 MB or more, so nothing has an owner`,
        fix: 'use folder rules ("/services/x/") instead of one line per file',
      });
    } else {
      const parsed = parseCodeowners(found.text, found.path);
      rules = parsed.rules;
      for (const problem of parsed.problems) findings.push({ kind: 'syntax', file: found.path, ...problem });
    }
  }
  const codeownersPath = found?.path ?? 'CODEOWNERS';
  const at = (rule: Rule) => ({ file: codeownersPath, line: rule.line });

  // Owners against the registry. Without a valid registry no owner can be vouched for; its problems say why.
  const { registry, problems } = await loadRegistry(root);
  for (const problem of problems) findings.push({ kind: 'registry', ...problem });
  if (registry) {
    for (const rule of rules) {
      for (const owner of new Set(rule.owners)) {
        const problem = ownerProblem(owner, registry);
        if (problem) findings.push({ kind: 'unknown-owner', ...at(rule), ...problem });
      }
    }
  }

  findings.push(...ruleFindings(rules, files, at, () => untrackedFiles(root)));

  const matcher = new OwnersMatcher(rules);
  const unowned = new Map<string, Rule | null>(); // file → the ownerless rule that decided, or null
  for (const file of files) {
    const { rule, owners } = matcher.match(file);
    if (owners.length === 0) unowned.set(file, rule);
  }
  findings.push(...unownedFindings(files, unowned, codeownersPath));
  const projects = files.filter((file) => file === 'project.json' || file.endsWith('/project.json'));
  findings.push(...projectFindings(root, projects, matcher, registry?.byHandle ?? null, codeownersPath));

  // CODEOWNERS problems first, in line order, then the registry, then projects and files.
  const later: Partial<Record<FindingKind, number>> = {
    registry: 1,
    'unowned-project': 2,
    'project-team': 2,
    'unowned-files': 3,
  };
  const rank = (finding: Finding) => later[finding.kind] ?? 0;
  findings.sort((a, b) => rank(a) - rank(b) || (a.line ?? 0) - (b.line ?? 0));

  return {
    ok: findings.length === 0,
    codeowners: found?.path ?? null,
    stats: { rules: rules.length, trackedFiles: files.length, projects: projects.length, unownedFiles: unowned.size },
    findings,
  };
}

/** New files git would commit (untracked, not ignored): a rule that matches only these is waiting for a `git add`. */
function untrackedFiles(root: string): string[] {
  return git(root, ['ls-files', '-z', '--others', '--exclude-standard']).split('\0').filter(Boolean);
}

/** `git add <what>` for new files: the folder they share, else the files themselves (at most three named). */
function gitAddFix(paths: string[]): string {
  let folder = (paths[0] ?? '').split('/').slice(0, -1);
  for (const path of paths) {
    const segments = path.split('/');
    let same = 0;
    while (same < folder.length && folder[same] === segments[same]) same++;
    folder = folder.slice(0, same);
  }
  const what = folder.length > 0 ? folder.join('/') : paths.slice(0, 3).join(' ') + (paths.length > 3 ? ' …' : '');
  return `git add ${what} — the line matches ${plural(paths.length, 'new file')} git does not track yet, and GitHub applies CODEOWNERS to committed files only`;
}

/** Duplicates, rules matching no tracked file, and rules that can never win (shadowed). */
function ruleFindings(
  rules: Rule[],
  files: string[],
  at: (rule: Rule) => { file: string; line: number },
  untracked: () => string[],
): Finding[] {
  const findings: Finding[] = [];
  const matcher = new OwnersMatcher(rules);
  // Tracked files per rule; a rule that is not a key has none.
  const matched = new Map<Rule, number>();
  const won = new Map<Rule, number>();
  const beatenBy = new Map<Rule, Map<Rule, number>>(); // loser → winner → files
  for (const file of files) {
    const all = matcher.matchAll(file);
    const winner = all[0];
    if (!winner) continue;
    won.set(winner, (won.get(winner) ?? 0) + 1);
    for (const rule of all) {
      matched.set(rule, (matched.get(rule) ?? 0) + 1);
      if (rule === winner) continue;
      const byWinner = beatenBy.get(rule) ?? new Map<Rule, number>();
      byWinner.set(winner, (byWinner.get(winner) ?? 0) + 1);
      beatenBy.set(rule, byWinner);
    }
  }

  // Equivalent patterns (same compiled regex, e.g. "a/b" and "/a/b"): the later one always wins.
  const firstWithRegex = new Map<string, Rule>();
  const duplicatedLater = new Set<number>();
  for (const rule of rules) {
    const earlier = firstWithRegex.get(rule.pattern.regex.source);
    if (!earlier) {
      firstWithRegex.set(rule.pattern.regex.source, rule);
      continue;
    }
    duplicatedLater.add(earlier.index);
    const same = earlier.pattern.source === rule.pattern.source;
    findings.push({
      kind: 'duplicate',
      ...at(rule),
      message: `"${rule.pattern.source}" ${same ? 'repeats the pattern' : `is the same pattern as "${earlier.pattern.source}"`} of line ${earlier.line}; only this line applies, so line ${earlier.line}'s owners (${earlier.owners.join(' ') || 'none'}) never do`,
      fix: `keep one line with all the owners meant: "${rule.pattern.source} ${[...new Set([...earlier.owners, ...rule.owners])].join(' ')}"`,
    });
    firstWithRegex.set(rule.pattern.regex.source, rule);
  }

  const covering = rules.filter((rule) => rule.pattern.covers !== null);
  for (const rule of rules) {
    const matchedFiles = matched.get(rule) ?? 0;
    if (matchedFiles === 0) {
      const waiting = untracked().filter((path) => matchesPath(rule.pattern, path, path.split('/')));
      findings.push({
        kind: 'no-match',
        ...at(rule),
        message: `"${rule.pattern.source}" matches no tracked file`,
        fix:
          waiting.length > 0
            ? gitAddFix(waiting)
            : 'remove the line, or correct the path (patterns are case-sensitive; a leading "/" anchors to the repository root)',
      });
    }
    if (duplicatedLater.has(rule.index)) continue; // reported as a duplicate at the later line
    const subsumer = covering.find(
      (later) =>
        later.index > rule.index &&
        later.pattern.regex.source !== rule.pattern.regex.source &&
        subsumes(later.pattern, rule.pattern),
    );
    if (subsumer) {
      findings.push({
        kind: 'shadowed',
        ...at(rule),
        message: `"${rule.pattern.source}" can never win: line ${subsumer.line} ("${subsumer.pattern.source}") matches every path it matches, and the last match wins`,
        fix: `move this line below line ${subsumer.line}, or remove it`,
      });
    } else if (matchedFiles > 0 && !won.has(rule)) {
      const winners = [...(beatenBy.get(rule) ?? new Map<Rule, number>()).entries()].sort((a, b) => b[1] - a[1]);
      const named = winners.slice(0, 3).map(([winner, count]) => `line ${winner.line} (${plural(count, 'file')})`);
      const lastLine = Math.max(...winners.map(([winner]) => winner.line));
      findings.push({
        kind: 'shadowed',
        ...at(rule),
        message: `"${rule.pattern.source}" never wins: all ${plural(matchedFiles, 'tracked file')} it matches are owned by later rules: ${named.join(', ')}${winners.length > 3 ? ', …' : ''}`,
        fix: `move this line below line ${lastLine} if it should win, or remove it`,
      });
    }
  }
  return findings;
}

/**
 * Unowned tracked files, grouped: a folder all of whose tracked files are unowned is reported once, as the folder
 * (the shallowest such folder), so one missing rule gives one finding with the rule to add.
 */
function unownedFindings(files: string[], unowned: Map<string, Rule | null>, codeownersPath: string): Finding[] {
  if (unowned.size === 0) return [];
  const total = new Map<string, number>();
  const missing = new Map<string, number>();
  for (const file of files) {
    for (let dir = dirname(file); dir !== '.'; dir = dirname(dir)) {
      total.set(dir, (total.get(dir) ?? 0) + 1);
      if (unowned.has(file)) missing.set(dir, (missing.get(dir) ?? 0) + 1);
    }
  }
  const fullyUnowned = (dir: string) => dir !== '.' && (missing.get(dir) ?? 0) === total.get(dir);
  const groups = new Map<string, string[]>(); // folder (with trailing "/") or file → unowned files
  for (const file of [...unowned.keys()].sort()) {
    let top: string | null = null;
    for (let dir = dirname(file); dir !== '.'; dir = dirname(dir)) if (fullyUnowned(dir)) top = dir;
    const key = top === null ? file : `${top}/`;
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  if (unowned.size === files.length) {
    groups.clear(); // nothing is owned: one finding for the whole repository
    groups.set('', [...unowned.keys()]);
  }

  return [...groups.entries()].map(([place, members]) => {
    const deciders = new Set(members.map((file) => unowned.get(file) ?? null));
    const [first = null, ...others] = deciders;
    const decider = others.length === 0 ? first : null; // one rule (or none) decided for all members
    const why = decider
      ? `${codeownersPath}:${decider.line} ("${decider.pattern.source}") has no owners`
      : deciders.has(null) && deciders.size === 1
        ? 'no rule matches'
        : 'no rule with owners matches';
    const pattern = place === '' ? '*' : `/${place}`;
    return {
      kind: 'unowned-files' as const,
      file: place === '' ? '.' : place,
      line: null,
      message:
        place === ''
          ? `no tracked file has an owner (${plural(members.length, 'file')}; ${why})`
          : place.endsWith('/')
            ? `no tracked file in this folder has an owner (${plural(members.length, 'file')}; ${why})`
            : `has no owner (${why})`,
      fix: decider
        ? `give ${codeownersPath}:${decider.line} an owner, or add a later rule "${pattern} ${TEAM_PLACEHOLDER}"`
        : `add "${pattern} ${TEAM_PLACEHOLDER}" to ${codeownersPath} (or a catch-all "* ${TEAM_PLACEHOLDER}" at the top)`,
    };
  });
}

/** Nx projects without an owner, and projects whose `team:<id>` tag disagrees with CODEOWNERS. */
function projectFindings(
  root: string,
  projectFiles: string[],
  matcher: OwnersMatcher,
  handles: Map<string, unknown> | null,
  codeownersPath: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const projectFile of projectFiles) {
    const dir = dirname(projectFile);
    const { owners } = matcher.match(projectFile);
    const config = readProject(join(root, projectFile));
    const name = config?.name ?? dir;
    const teamTag = config?.tags?.find((tag) => tag.startsWith('team:'))?.slice('team:'.length);
    const teamHandle = teamTag ? `@${ORG}/${teamTag}` : TEAM_PLACEHOLDER;
    const rulePattern = dir === '.' ? '*' : `/${dir}/`;
    if (owners.length === 0) {
      findings.push({
        kind: 'unowned-project',
        file: projectFile,
        line: null,
        message: `Nx project "${name}" (${dir === '.' ? 'the root' : `${dir}/`}) has no owner`,
        fix: `add "${rulePattern} ${teamHandle}" to ${codeownersPath}`,
      });
    } else if (teamTag && !owners.includes(teamHandle)) {
      const registered = handles === null || handles.has(teamHandle);
      findings.push({
        kind: 'project-team',
        file: projectFile,
        line: null,
        message: `Nx project "${name}" is tagged team:${teamTag} but CODEOWNERS gives it to ${owners.join(' ')}${registered ? '' : ` (and ${teamHandle} is not in ${TEAMS_FILE})`}`,
        fix: `make "${rulePattern} ${teamHandle}" the last rule matching it in ${codeownersPath}, or correct the tag`,
      });
    }
  }
  return findings;
}

function readProject(path: string): { name?: string; tags?: string[] } | null {
  if (!existsSync(path)) return null; // tracked but deleted in the working tree
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; tags?: unknown };
    return {
      ...(typeof parsed.name === 'string' ? { name: parsed.name } : {}),
      ...(Array.isArray(parsed.tags)
        ? { tags: parsed.tags.filter((tag): tag is string => typeof tag === 'string') }
        : {}),
    };
  } catch {
    return null;
  }
}

export function formatCheck(result: CheckResult): string {
  const { stats } = result;
  const summary = `${plural(stats.rules, 'rule')} in ${result.codeowners ?? '(no CODEOWNERS)'}, ${plural(stats.trackedFiles, 'tracked file')}, ${plural(stats.projects, 'Nx project')}`;
  if (result.ok) return `owners check: OK — ${summary}, every file owned.`;
  const lines = result.findings.map(
    (finding) =>
      `${finding.file}${finding.line === null ? '' : `:${finding.line}`}: ${finding.message}\n    fix: ${finding.fix}`,
  );
  return `${lines.join('\n')}\n\nowners check: ${plural(result.findings.length, 'problem')} — ${summary}.`;
}
