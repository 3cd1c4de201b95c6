/**
 * The two containers/storage roots the pipeline uses: the BUILD storage (base image, image builds; the artifact
 * layer's `.artifacts/containers`) and the RUN storage (the "deploy host" the test stages load the stored image into,
 * `.artifacts/run-containers`). Environment variables move either one, e.g. to a temp dir in tests:
 *   PIPELINE_BUILD_STORAGE=<dir>, PIPELINE_RUN_STORAGE=<dir>  (each holds `root/`)
 * Each one's run root is a short folder under /tmp whatever the workspace's path (see runrootFor). Stages keep both
 * storages between runs (images loaded once; several stage processes share a storage's locks at the same time), so
 * whoever deletes a workspace removes its storages first: disposeWorkspaceStorages.
 */
import { join, resolve } from 'node:path';
import {
  containerStorage,
  disposeStorage,
  workspaceStorage,
  type ContainerStorage,
} from '@musiccorp/artifact/containers';

export function buildStorage(workspaceRoot: string, env = process.env): ContainerStorage {
  const dir = env['PIPELINE_BUILD_STORAGE']?.trim();
  return dir ? containerStorage(resolve(dir)) : workspaceStorage(workspaceRoot);
}

export function runStorage(workspaceRoot: string, env = process.env): ContainerStorage {
  const dir = env['PIPELINE_RUN_STORAGE']?.trim();
  return containerStorage(dir ? resolve(dir) : join(workspaceRoot, '.artifacts', 'run-containers'));
}

/**
 * Removes the workspace's own two storages (not those PIPELINE_*_STORAGE moves elsewhere): unmounts what podman or
 * buildah left mounted, deletes each graph root and its run root under /tmp, which would outlive the checkout.
 */
export async function disposeWorkspaceStorages(workspaceRoot: string): Promise<void> {
  for (const storage of [buildStorage(workspaceRoot, {}), runStorage(workspaceRoot, {})]) await disposeStorage(storage);
}
