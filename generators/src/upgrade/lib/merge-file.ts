import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What each side of a 3-way merge is called in the conflict markers (`<<<<<<< ours`, `>>>>>>> theirs`). */
export interface MergeLabels {
  ours: string;
  base: string;
  theirs: string;
}

export interface MergeResult {
  content: Buffer;
  /** 0 for a clean merge; else how many conflicts the content holds, marked as git marks them. */
  conflicts: number;
}

/** A 3-way merge of one file: base = the old render, ours = the team's file, theirs = the new render. */
export type Merge = (base: Buffer, ours: Buffer, theirs: Buffer, labels: MergeLabels) => MergeResult;

/**
 * `git merge-file -p`, the merge git itself does for a file, with git's standard conflict markers; no repository is
 * needed. Where one side left the base unchanged the other side is the result, as git's would be, without a process.
 * The three inputs go through one scratch folder; dispose() removes it.
 */
export class GitMergeFile {
  private scratch: string | undefined;

  readonly merge: Merge = (base, ours, theirs, labels) => {
    if (ours.equals(base) || ours.equals(theirs)) return { content: theirs, conflicts: 0 };
    if (theirs.equals(base)) return { content: ours, conflicts: 0 };
    const scratch = (this.scratch ??= mkdtempSync(join(tmpdir(), 'merge-file-')));
    const [oursFile, baseFile, theirsFile] = [join(scratch, 'ours'), join(scratch, 'base'), join(scratch, 'theirs')];
    writeFileSync(oursFile, ours);
    writeFileSync(baseFile, base);
    writeFileSync(theirsFile, theirs);
    const result = spawnSync(
      'git',
      ['merge-file', '-p', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs, oursFile, baseFile, theirsFile],
      { maxBuffer: 256 * 1024 * 1024 },
    );
    // Exit status: the number of conflicts (capped at 127), or 255 when git merge-file itself failed.
    if (result.error || result.status === null || result.status > 127) {
      throw new Error(
        `git merge-file failed (${result.error?.message ?? `exit ${result.status}`}): ${String(result.stderr ?? '').trim()}`,
      );
    }
    return { content: result.stdout, conflicts: result.status };
  };

  dispose(): void {
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
  }
}
