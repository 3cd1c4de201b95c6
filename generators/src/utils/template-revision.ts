import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEMPLATES_ROOT } from '@musiccorp/core/render';
import type { Provenance } from '@musiccorp/core/provenance';

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
    let archive: Buffer;
    try {
      archive = execFileSync('git', ['archive', '--format=tar', commit, 'templates'], {
        cwd: workspaceRoot,
        stdio: ['ignore', 'pipe', 'ignore'],
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch {
      return use(
        TEMPLATES_ROOT,
        `templates/ in the working tree (commit ${commit.slice(0, 12)} is not in this repository)`,
      );
    }
    execFileSync('tar', ['-x', '-C', scratch], { input: archive });
    return use(join(scratch, 'templates'), `templates/ at ${commit.slice(0, 12)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
