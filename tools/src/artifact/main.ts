/**
 * `npm run artifact -- <service> [--git-sha SHA] [--base-image NAME] [--source-url URL] [--keep-image]`
 *
 * The artifact stage for one service of this workspace: expects `services/<service>/dist/main.js` (run
 * `npx nx build <service>` first), makes sure the local Node base image exists (unless another base is named), builds
 * the image once, stores it (`.artifacts/oci`, or the registry in ARTIFACT_REGISTRY=host:port) and writes
 * `dist/artifacts/<service>/artifact.json`, which it prints.
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { execa } from 'execa';
import { WORKSPACE_ROOT } from '../lib/scratch-workspace';
import { defaultBaseImageName, ensureBaseImage } from '../base-image/base-image';
import { openArtifactStore } from './artifact-store';
import { buildArtifact, describeRecord } from './build-artifact';
import { requireTools, workspaceStorage } from './containers';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'git-sha': { type: 'string' },
    'base-image': { type: 'string' },
    'source-url': { type: 'string' },
    'keep-image': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const service = positionals[0];
if (values.help || !service) {
  console.log(
    'Usage: npm run artifact -- <service> [--git-sha SHA] [--base-image NAME] [--source-url URL] [--keep-image]',
  );
  process.exit(values.help ? 0 : 2);
}

await requireTools(['buildah', 'skopeo']);
const workspaceRoot = process.env['ARTIFACT_WORKSPACE_ROOT'] ?? WORKSPACE_ROOT;
const storage = workspaceStorage(workspaceRoot);
const gitSha = values['git-sha'] ?? (await execa('git', ['rev-parse', 'HEAD'], { cwd: workspaceRoot })).stdout.trim();
let baseImage = values['base-image'] ?? defaultBaseImageName();
if (!values['base-image']) {
  const base = await ensureBaseImage({ storage });
  baseImage = base.name;
  console.error(`base image ${base.name}@${base.digest} (${base.reused ? 'reused' : 'built'})`);
}
const store = openArtifactStore({ workspaceRoot });
const record = await buildArtifact({
  workspaceRoot,
  serviceRoot: join(workspaceRoot, 'services', service),
  service,
  gitSha,
  baseImage,
  store,
  storage,
  keepImage: values['keep-image'],
  ...(values['source-url'] ? { buildArgs: { SOURCE_URL: values['source-url'] } } : {}),
});
console.log(JSON.stringify(record, null, 2));
console.error(`wrote ${describeRecord(workspaceRoot, service)} (${store.describe()})`);
