import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATES_ROOT } from '@musiccorp/core/render';
import type { Provenance } from '@musiccorp/core/provenance';

/**
 * Extracts templates/ as `commit` has it — from git (`git archive`), never from the working tree — into `into`, and
 * returns the extracted templates root. Throws with git's message when the repository has no such commit.
 */
export function extractTemplates(workspaceRoot: string, commit: string, into: string): string {
  let archive: Buffer;
  try {
    archive = execFileSync('git', ['archive', '--format=tar', commit, 'templates'], {
      cwd: workspaceRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    throw new Error(`git cannot read templates/ at ${commit}: ${stderr || (error as Error).message}`);
  }
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-x', '-C', into], { input: archive });
  return join(into, 'templates');
}

/**
 * Runs `use` with the templates/ folder a generated folder was rendered from: the clean commit its provenance records
 * (extracted with `git archive`), or the working tree when no clean commit was recorded or the commit is not in this
 * repository. The drift check and re-renders (transfer) both use it, so a re-render is what the drift check compares
 * against.
 */
export function withTemplatesAt<T>(
  workspaceRoot: string,
  provenance: Pick<Provenance, 'platformCommit' | 'templatesModified'>,
  use: (templatesRoot: string, label: string) => T,
): T {
  const commit = provenance.platformCommit;
  if (!commit || provenance.templatesModified)
    return use(TEMPLATES_ROOT, 'templates/ in the working tree (no clean commit recorded)');
  const scratch = mkdtempSync(join(tmpdir(), 'templates-'));
  try {
    let root: string;
    try {
      root = extractTemplates(workspaceRoot, commit, scratch);
    } catch {
      return use(
        TEMPLATES_ROOT,
        `templates/ in the working tree (commit ${commit.slice(0, 12)} is not in this repository)`,
      );
    }
    return use(root, `templates/ at ${commit.slice(0, 12)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * templates/ at each commit a run needs, extracted from git once per commit however many services share it (an
 * upgrade of 300 services rendered at one commit extracts two revisions, not 600). dispose() removes them.
 */
export class TemplateRevisions {
  private readonly roots = new Map<string, string>();
  private scratch: string | undefined;

  constructor(private readonly workspaceRoot: string) {}

  /** The extracted templates root of `commit` (a full sha). */
  at(commit: string): string {
    let root = this.roots.get(commit);
    if (root === undefined) {
      this.scratch ??= mkdtempSync(join(tmpdir(), 'template-revisions-'));
      root = extractTemplates(this.workspaceRoot, commit, join(this.scratch, commit));
      this.roots.set(commit, root);
    }
    return root;
  }

  dispose(): void {
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
    this.roots.clear();
  }
}
