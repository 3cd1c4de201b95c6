/**
 * `npm run base-image`: builds (or reuses) the Node base image in the workspace's build storage and prints its name and
 * digest — as `main(argv, out, err)`; base-image-cli.ts runs it.
 */
import { resolve } from 'node:path';
import { CommandLine } from '@musiccorp/core/cli';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { requireTools, runrootFor, workspaceStorage, type ContainerStorage } from '../containers';
import { ensureBaseImage } from './base-image';

const BASE_IMAGE = new CommandLine({
  name: 'base-image',
  usage:
    'npm run base-image -- [--root=<dir> --runroot=<dir>] [--name=localhost/musiccorp/node-base:<version>] [--force] [--json]',
  help: `Builds the Node base image FROM scratch out of this machine's node (buildah), or reuses the one already built.
  --root, --runroot  the container storage (default: .artifacts/containers/, where the artifact stage builds)
  --name             the image's name (default: localhost/musiccorp/node-base:<node version>)
  --force            build again even when the image exists
  --json             the image, its digest and storage as JSON on stdout`,
  flags: {
    root: { type: 'string' },
    runroot: { type: 'string' },
    name: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
});

export const main = BASE_IMAGE.main(async ({ flags }, { out, err }) => {
  await requireTools(['buildah', 'ldd']);
  const root = flags.root ? resolve(flags.root) : workspaceStorage(WORKSPACE_ROOT).root;
  const storage: ContainerStorage = {
    driver: 'vfs',
    root,
    runroot: flags.runroot ? resolve(flags.runroot) : runrootFor(root),
  };
  const image = await ensureBaseImage({ storage, ...(flags.name ? { name: flags.name } : {}), force: flags.force });
  if (flags.json) {
    out.write(`${JSON.stringify({ ...image, storage }, null, 2)}\n`);
  } else {
    out.write(`${image.name}@${image.digest}\n`);
    err.write(
      `${image.reused ? 'reused' : 'built'} in ${(image.ms / 1000).toFixed(1)} s (storage ${storage.root}, node ${image.nodeVersion})\n`,
    );
  }
  return 0;
});
