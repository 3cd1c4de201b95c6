import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

/** Newest mtime (ms) of any file under dir, and how many files there are. */
async function newestChange(dir: string): Promise<{ newest: number; files: number }> {
  let newest = 0;
  let files = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    const info = await stat(join(entry.parentPath, entry.name)).catch(() => null);
    if (info) newest = Math.max(newest, info.mtimeMs);
  }
  return { newest, files };
}

/**
 * Waits until `file` exists and nothing under `dir` has changed for `quietMs` (a template being written by someone
 * else must not be copied half-written). Throws after timeoutMs.
 */
export async function waitForSettledFile(file: string, dir: string, quietMs: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (exists) {
      const { newest } = await newestChange(dir);
      if (Date.now() - newest >= quietMs) return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Gave up after ${Math.round(timeoutMs / 1000)} s waiting for ${file} to exist and ${dir} to stop changing.`,
      );
    }
    if (!announced) {
      log(`waiting for ${file} to exist and ${dir} to be unchanged for ${quietMs / 1000} s…`);
      announced = true;
    }
    await sleep(2000);
  }
}

export async function countFiles(dir: string): Promise<number> {
  return (await newestChange(dir)).files;
}

/** Runs fn and returns its result with the wall time in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** sha256 over every file's relative path and content under dir (sorted), to tie figures to a template version. */
export async function fingerprint(
  dir: string,
  skip: (relativePath: string) => boolean = () => false,
): Promise<{ sha256: string; files: number; newestChange: string }> {
  const { createHash } = await import('node:crypto');
  const { readFile } = await import('node:fs/promises');
  const { relative } = await import('node:path');
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !skip(relative(dir, file)))
    .sort();
  const hash = createHash('sha256');
  for (const file of entries)
    hash
      .update(`${relative(dir, file)}\0`)
      .update(await readFile(file))
      .update('\0');
  let newest = 0;
  for (const file of entries) newest = Math.max(newest, (await stat(file)).mtimeMs);
  return {
    sha256: hash.digest('hex').slice(0, 16),
    files: entries.length,
    newestChange: new Date(newest).toISOString(),
  };
}
