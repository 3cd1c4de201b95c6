import { git } from '@musiccorp/core/git';
import { templatePaths } from '../upgrade/lib/platform-at';

interface HistoryCommit {
  /** Committer date, ISO 8601. */
  date: string;
  parents: string[];
  /** The files under templates/ it changed: one list per parent it differs from there (a root commit: one). */
  diffs: string[][];
}

/**
 * HEAD's history as ONE `git log` reads it: every commit HEAD descends from, with its parents, date and the files it
 * changed under templates/. How far a service lags — `git rev-list --count <recorded>..HEAD -- templates/<template>`
 * — is then counted in memory, for any number of services, without a git process per service.
 */
export class TemplateHistory {
  private readonly ancestors = new Map<string, Set<string>>();

  private constructor(
    readonly head: string,
    private readonly commits: ReadonlyMap<string, HistoryCommit>,
  ) {}

  /** Throws with git's message outside a repository or before its first commit. */
  static read(root: string): TemplateHistory {
    // --full-history --sparse: every commit, not only those that changed templates/, so each recorded commit has its
    // date and parents; --name-only still lists only the files under templates/. --diff-merges=separate: a merge is
    // printed once per parent it differs from under templates/ (or once, without files, when it differs from none).
    const log = git(root, [
      '-c',
      'core.quotePath=false',
      'log',
      '--full-history',
      '--sparse',
      '--diff-merges=separate',
      '--format=%x1e%H %cI %P',
      '--name-only',
      'HEAD',
      '--',
      'templates/',
    ]);
    const commits = new Map<string, HistoryCommit>();
    let head: string | undefined;
    for (const record of log.split('\x1e')) {
      const [header = '', ...lines] = record.split('\n');
      const [sha, date = '', ...parents] = header.split(' ').filter(Boolean);
      if (!sha) continue;
      head ??= sha; // one starting point: git prints it first
      const files = lines.filter(Boolean);
      const known = commits.get(sha);
      if (known) known.diffs.push(files);
      else commits.set(sha, { date, parents, diffs: files.length > 0 ? [files] : [] });
    }
    if (!head) throw new Error('git log printed no commit for HEAD.');
    return new TemplateHistory(head, commits);
  }

  /**
   * The full sha and date of `commit` (a sha, or an unambiguous abbreviation of one), or undefined when HEAD does not
   * descend from it: rendered on another branch, or a commit this clone lacks.
   */
  find(commit: string): { sha: string; date: string } | undefined {
    const exact = this.commits.get(commit);
    if (exact) return { sha: commit, date: exact.date };
    if (!/^[0-9a-f]{7,39}$/.test(commit)) return undefined;
    const matches = [...this.commits].filter(([sha]) => sha.startsWith(commit));
    const [only] = matches;
    return only && matches.length === 1 ? { sha: only[0], date: only[1].date } : undefined;
  }

  /**
   * How many commits HEAD has, and `commit` has not, that changed the template: how far a service rendered at it
   * lags. A merge counts as git's path-limited history counts it: when it differs from every parent in the template.
   */
  behind(commit: string, template: string): number {
    const prefixes = templatePaths(template).map((path) => `${path}/`);
    const inTemplate = (files: string[]) => files.some((file) => prefixes.some((prefix) => file.startsWith(prefix)));
    const reached = this.ancestorsOf(commit);
    let count = 0;
    for (const [sha, { parents, diffs }] of this.commits) {
      if (!reached.has(sha) && diffs.filter(inTemplate).length >= Math.max(1, parents.length)) count++;
    }
    return count;
  }

  /** `commit` and every commit it descends from, as far as this history goes (a shallow clone ends early). */
  private ancestorsOf(commit: string): Set<string> {
    let reached = this.ancestors.get(commit);
    if (reached) return reached;
    reached = new Set();
    const queue = [commit];
    for (let sha = queue.pop(); sha !== undefined; sha = queue.pop()) {
      const known = this.commits.get(sha);
      if (!known || reached.has(sha)) continue;
      reached.add(sha);
      queue.push(...known.parents);
    }
    this.ancestors.set(commit, reached);
    return reached;
  }
}
