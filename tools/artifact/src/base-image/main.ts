/**
 * `npm run base-image [-- --root DIR --runroot DIR --name NAME --force --json]`
 *
 * Builds (or reuses) the Node base image in the workspace's build storage (`.artifacts/containers/`, the storage the
 * artifact stage builds in) and prints its name and digest.
 */
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { requireTools, workspaceStorage, type ContainerStorage } from '../containers';
import { ensureBaseImage } from './base-image';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    runroot: { type: 'string' },
    name: { type: 'string' },
    force: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(
    'Usage: npm run base-image -- [--root DIR --runroot DIR] [--name localhost/musiccorp/node-base:VERSION] [--force] [--json]',
  );
  process.exit(0);
}

await requireTools(['buildah', 'ldd']);
const defaults = workspaceStorage(WORKSPACE_ROOT);
const storage: ContainerStorage = {
  driver: 'vfs',
  root: values.root ? resolve(values.root) : defaults.root,
  runroot: values.runroot ? resolve(values.runroot) : defaults.runroot,
};
const image = await ensureBaseImage({ storage, ...(values.name ? { name: values.name } : {}), force: values.force });
if (values.json) {
  console.log(JSON.stringify({ ...image, storage }, null, 2));
} else {
  console.log(`${image.name}@${image.digest}`);
  console.error(
    `${image.reused ? 'reused' : 'built'} in ${(image.ms / 1000).toFixed(1)} s (storage ${storage.root}, node ${image.nodeVersion})`,
  );
}
