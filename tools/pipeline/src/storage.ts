/**
 * The two containers/storage roots the pipeline uses: the BUILD storage (base image, image builds; the artifact
 * layer's `.artifacts/containers`) and the RUN storage (the "deploy host" the test stages load the stored image into,
 * `.artifacts/run-containers`). Environment variables move either one, e.g. to a temp dir in tests:
 *   PIPELINE_BUILD_STORAGE=<dir>, PIPELINE_RUN_STORAGE=<dir>  (each holds `root/` and `run/`)
 */
import { join, resolve } from 'node:path';
import { workspaceStorage, type ContainerStorage } from '@musiccorp/artifact/containers';

function storageAt(dir: string): ContainerStorage {
  return { root: join(dir, 'root'), runroot: join(dir, 'run'), driver: 'vfs' };
}

export function buildStorage(workspaceRoot: string, env = process.env): ContainerStorage {
  const dir = env['PIPELINE_BUILD_STORAGE']?.trim();
  return dir ? storageAt(resolve(dir)) : workspaceStorage(workspaceRoot);
}

export function runStorage(workspaceRoot: string, env = process.env): ContainerStorage {
  const dir = env['PIPELINE_RUN_STORAGE']?.trim();
  return storageAt(dir ? resolve(dir) : join(workspaceRoot, '.artifacts', 'run-containers'));
}
