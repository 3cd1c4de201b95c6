/**
 * Replaces a directory's contents all or nothing: the new files are written and fsynced in a private staging
 * directory beside it, then swapped in with two renames under a lock. A file that is not rendered any more is gone
 * after the swap (the directory is owned by the renderer), and a run killed midway leaves the old directory or the
 * new one, plus dot-named leftovers that the next run sweeps (and deploy/.gitignore hides).
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncPath, isProcessAlive, uniqueSuffix, withLockFile } from '@musiccorp/artifact/oci';

export type DirectoryChange = 'created' | 'updated' | 'unchanged';

export async function replaceDirectory(target: string, files: ReadonlyMap<string, string>): Promise<DirectoryChange> {
  for (const name of files.keys()) {
    if (name !== basename(name) || name.startsWith('.'))
      throw new Error(`Refusing to write "${name}": not a plain file name.`);
  }
  const parent = dirname(target);
  const base = basename(target);
  await mkdir(parent, { recursive: true });
  return withLockFile(join(parent, `.${base}.lock`), async () => {
    await sweepLeftovers(parent, base);
    if (await hasExactly(target, files)) return 'unchanged';

    const staging = join(parent, `.${base}.tmp-${uniqueSuffix()}`);
    try {
      await mkdir(staging);
      for (const [name, content] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
        const handle = await open(join(staging, name), 'wx', 0o644);
        try {
          await handle.writeFile(content);
          await handle.sync();
        } finally {
          await handle.close();
        }
      }
      await fsyncPath(staging);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error;
    }

    const existed = existsSync(target);
    const aside = join(parent, `.${base}.old-${uniqueSuffix()}`);
    if (existed) await rename(target, aside);
    try {
      await rename(staging, target);
    } catch (error) {
      if (existed) await rename(aside, target); // put the old state back
      await rm(staging, { recursive: true, force: true });
      throw error;
    }
    await fsyncPath(parent);
    if (existed) await rm(aside, { recursive: true, force: true });
    return existed ? 'updated' : 'created';
  });
}

/** True when `dir` holds these files with these bytes and nothing else. */
async function hasExactly(dir: string, files: ReadonlyMap<string, string>): Promise<boolean> {
  const entries = await readdir(dir).catch(() => undefined);
  if (!entries || entries.length !== files.size) return false;
  for (const entry of entries) {
    const expected = files.get(entry);
    if (expected === undefined || !(await stat(join(dir, entry))).isFile()) return false;
    if ((await readFile(join(dir, entry), 'utf8')) !== expected) return false;
  }
  return true;
}

/** Staging and set-aside directories of runs that died (their pid is gone). */
async function sweepLeftovers(parent: string, base: string): Promise<void> {
  const pattern = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(?:tmp|old)-(\\d+)-`);
  for (const entry of await readdir(parent)) {
    const match = pattern.exec(entry);
    if (match && !isProcessAlive(Number(match[1]))) await rm(join(parent, entry), { recursive: true, force: true });
  }
}
