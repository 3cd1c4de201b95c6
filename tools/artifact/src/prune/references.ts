/**
 * The image digests a workspace still references, and where — what a prune of the artifact store must keep:
 *  - `deploy/**`: each environment's desired state names its image by digest (and in the `io.musiccorp/artifact-digest`
 *    annotation), so an image an environment runs is never deleted;
 *  - `dist/artifacts/<service>/artifact.json`: the artifact stage's record, which the later stages deploy from;
 *  - `dist/pipeline/<service>/last-run.json`: the digest of the service's last pipeline run and of each of its stages.
 * A record that cannot be read stops the prune: what it references is unknown.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isDigest } from '../oci';

const DIGEST_IN_TEXT = /sha256:[a-f0-9]{64}/g;

/** digest → the workspace files that reference it (relative paths). */
export type References = Map<string, string[]>;

export async function referencedDigests(workspaceRoot: string): Promise<References> {
  const references: References = new Map();
  const add = (digest: unknown, file: string) => {
    if (typeof digest !== 'string' || !isDigest(digest)) return;
    const where = relative(workspaceRoot, file);
    const files = references.get(digest) ?? [];
    if (!files.includes(where)) files.push(where);
    references.set(digest, files);
  };

  const deployDir = join(workspaceRoot, 'deploy');
  if (existsSync(deployDir)) {
    const entries = await readdir(deployDir, { recursive: true, withFileTypes: true });
    const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
    for (const file of files.sort()) {
      for (const digest of (await readFile(file, 'utf8')).match(DIGEST_IN_TEXT) ?? []) add(digest, file);
    }
  }

  for (const service of await subfolders(join(workspaceRoot, 'dist', 'artifacts'))) {
    const file = join(workspaceRoot, 'dist', 'artifacts', service, 'artifact.json');
    const record = await readRecord<{ digest?: unknown }>(workspaceRoot, file);
    add(record?.digest, file);
  }
  for (const service of await subfolders(join(workspaceRoot, 'dist', 'pipeline'))) {
    const file = join(workspaceRoot, 'dist', 'pipeline', service, 'last-run.json');
    const run = await readRecord<{ digest?: unknown; stages?: { digest?: unknown }[] }>(workspaceRoot, file);
    add(run?.digest, file);
    for (const stage of Array.isArray(run?.stages) ? run.stages : []) add(stage?.digest, file);
  }
  return references;
}

async function subfolders(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

async function readRecord<T>(workspaceRoot: string, file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(
      `${relative(workspaceRoot, file)} is not JSON (${(error as Error).message}), so which image it names is unknown; nothing was pruned. ` +
        `Run that service's pipeline again (npm run pipeline -- <service>) or delete the file, then prune again.`,
    );
  }
}
