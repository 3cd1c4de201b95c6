/**
 * All rules of a CODEOWNERS file compiled into one matcher. The last matching rule wins, so a lookup tests candidate
 * rules from the highest index down and stops at the first match. Candidates come from three indexes, so a path is
 * tested only against the rules that could possibly match it:
 *  - anchored rules, in a trie keyed by their literal leading segments (`/services/svc-001/` → services → svc-001);
 *  - unanchored single literal segments (`apps/`, `logs`), keyed by that segment;
 *  - everything else (`*`, `*.js`, `**` / `?` patterns): always a candidate.
 * Rules that are just "everything under a literal prefix" (`*`, `/services/svc-001/`) need no regex at all, so with a
 * catch-all plus one rule per service a lookup is a few Map look-ups, whatever the number of rules.
 */
import type { Rule } from './codeowners-file';
import { matchesPath } from './pattern';

interface TrieNode {
  children: Map<string, TrieNode>;
  rules: Rule[];
}

const newNode = (): TrieNode => ({ children: new Map(), rules: [] });

export interface Match {
  /** The winning rule, or null when no rule matches. */
  rule: Rule | null;
  /** The winning rule's owners; [] when unowned (no rule, or a rule without owners). */
  owners: string[];
}

export class OwnersMatcher {
  private readonly root = newNode();
  private readonly bySegment = new Map<string, Rule[]>();
  private readonly floating: Rule[] = [];

  constructor(readonly rules: readonly Rule[]) {
    for (const rule of rules) {
      const { literalPrefix, anySegment } = rule.pattern;
      if (literalPrefix.length > 0) {
        let node = this.root;
        for (const segment of literalPrefix) {
          let child = node.children.get(segment);
          if (!child) node.children.set(segment, (child = newNode()));
          node = child;
        }
        node.rules.push(rule);
      } else if (anySegment !== null) {
        const list = this.bySegment.get(anySegment) ?? [];
        list.push(rule);
        this.bySegment.set(anySegment, list);
      } else {
        this.floating.push(rule);
      }
    }
  }

  /** The rules that could match `path`, highest index (strongest) first, without duplicates. */
  private candidates(segments: readonly string[]): Rule[] {
    const found: Rule[] = [...this.floating];
    let node: TrieNode | undefined = this.root;
    for (const segment of segments) {
      node = node.children.get(segment);
      if (!node) break;
      for (const rule of node.rules) found.push(rule);
    }
    if (this.bySegment.size > 0) {
      const seen = new Set<string>();
      for (const segment of segments) {
        if (seen.has(segment)) continue;
        seen.add(segment);
        const list = this.bySegment.get(segment);
        if (list) for (const rule of list) found.push(rule);
      }
    }
    return found.sort((a, b) => b.index - a.index);
  }

  /** The rule GitHub applies to `path` (a repo-relative file path): the last one that matches. */
  match(path: string): Match {
    const segments = path.split('/');
    for (const rule of this.candidates(segments)) {
      if (matchesPath(rule.pattern, path, segments)) return { rule, owners: rule.owners };
    }
    return { rule: null, owners: [] };
  }

  /** Every rule that matches `path`, highest index first (the first is the winner). */
  matchAll(path: string): Rule[] {
    const segments = path.split('/');
    return this.candidates(segments).filter((rule) => matchesPath(rule.pattern, path, segments));
  }
}

/** Normalizes a user-given path to the form GitHub matches: repo-relative, no `./`, no leading or trailing `/`. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}
