/**
 * Builds ONE OCI image for a service from its Dockerfile (build context: the service folder).
 *
 * Default engine: buildah, daemonless — `bud --isolation chroot --storage-driver vfs --timestamp 0 --layers=false
 * --format oci --pull=never --identity-label=false`, with BASE_IMAGE and GIT_SHA as build args, and the ones behind
 * the image's labels (SERVICE_VERSION, SERVICE_DESCRIPTION, SOURCE_URL: see image-labels.ts). The same inputs give
 * the same manifest digest: `--timestamp 0` sets the creation date, history dates and every file's mtime in the new
 * layer to the epoch; the build context is first copied with normalised permissions (files 0644 or 0755, dirs 0755),
 * so a checkout's mtimes, owner or umask don't reach the image; no identity label (it would pin buildah's version).
 *
 * `docker build` is used instead when a Docker engine answers (`docker info` succeeds) — the path of users whose CI
 * has Docker. It is deliberately small and NOT tested here (no engine on this machine): the image is saved with
 * `docker save` and stored by the artifact store, which converts it to OCI, so its digest is only known after storing
 * and is not reproducible unless the engine's BuildKit honours SOURCE_DATE_EPOCH for layer mtimes.
 */
import { randomBytes } from 'node:crypto';
import { chmod, cp, lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { buildah, inspectImage, tool, type ContainerStorage } from './containers';
import { imageLabelArgs } from './image-labels';
import type { ImageSource } from './store';
import type { Descriptor } from './oci';

export type BuildEngine = 'buildah' | 'docker';

export interface ImageBuildOptions {
  /** The service folder: build context, holding `Dockerfile` and `dist/`. */
  contextDir: string;
  service: string;
  gitSha: string;
  /** The image `FROM ${BASE_IMAGE}` resolves to, e.g. `localhost/musiccorp/node-base:20.20.2`; must be in `storage`. */
  baseImage: string;
  /** The buildah storage holding the base image; the built image goes there too. */
  storage: ContainerStorage;
  /** Default `auto`: docker when an engine answers, else buildah. `ARTIFACT_ENGINE` overrides `auto`. */
  engine?: BuildEngine | 'auto';
  dockerfile?: string;
  /**
   * More `--build-arg`s, e.g. `{ SOURCE_URL: 'https://git.example/musiccorp' }`; they win over the label args read
   * from the service (image-labels.ts). Same values, same digest.
   */
  buildArgs?: Record<string, string>;
}

/** BASE_IMAGE and GIT_SHA first, then the extra build args sorted by name. */
function buildArgFlags(options: ImageBuildOptions): string[] {
  const extra = Object.entries(options.buildArgs ?? {})
    .filter(([name]) => name !== 'BASE_IMAGE' && name !== 'GIT_SHA')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return [['BASE_IMAGE', options.baseImage], ['GIT_SHA', options.gitSha], ...extra].flatMap(([name, value]) => [
    '--build-arg',
    `${name}=${value}`,
  ]);
}

export interface BuiltImage {
  engine: BuildEngine;
  /** Where the artifact store copies the image from. */
  source: ImageSource;
  /**
   * Local tag, unique to this build: `localhost/musiccorp/<service>:<gitSha>-build-<pid>-<random>`, so two builds of
   * the same commit at once never untag each other's image. Tags are not part of the image: the digest is the same.
   */
  tag: string;
  /** Also tags the image `localhost/musiccorp/<service>:<gitSha>` (for `podman run` by name on the build host). */
  keep(): Promise<string>;
  /** Manifest digest (buildah); undefined for docker until the store converts it. */
  digest?: string;
  imageId?: string;
  baseImage: { name: string; digest?: string };
  /** How many layers the base image has: the layers after these are the app's. */
  baseLayerCount: number;
  /** The layers the Dockerfile added on top of the base (for these Dockerfiles: one, `COPY dist/ /app/`). */
  appLayers: Descriptor[];
  /** Their total size in bytes (uncompressed tar: the layers are stored uncompressed). */
  appLayerBytes: number;
  buildMs: number;
  /** Removes the local tag (and the docker archive): the artifact store holds the image from now on. */
  dispose(): Promise<void>;
}

export async function detectEngine(requested: ImageBuildOptions['engine'] = 'auto'): Promise<BuildEngine> {
  const choice =
    requested === 'auto' ? ((process.env['ARTIFACT_ENGINE'] as BuildEngine | undefined) ?? 'auto') : requested;
  if (choice === 'buildah' || choice === 'docker') return choice;
  const info = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], {
    reject: false,
    timeout: 10_000,
    stdin: 'ignore',
  });
  return info.exitCode === 0 && info.stdout.trim() !== '' ? 'docker' : 'buildah';
}

export async function buildImage(options: ImageBuildOptions): Promise<BuiltImage> {
  const contextDir = resolve(options.contextDir);
  const dockerfile = options.dockerfile ?? 'Dockerfile';
  if (!existsSync(join(contextDir, dockerfile)))
    throw new Error(`${join(contextDir, dockerfile)} does not exist: every service folder has a Dockerfile.`);
  if (!/^[0-9a-f]{7,64}$/.test(options.gitSha))
    throw new Error(`gitSha "${options.gitSha}" is not a git commit id (7–64 lowercase hex digits).`);
  const engine = await detectEngine(options.engine);
  const labelled = { ...options, buildArgs: await imageLabelArgs(contextDir, options.buildArgs) };
  return engine === 'docker'
    ? buildWithDocker(labelled, contextDir, dockerfile)
    : buildWithBuildah(labelled, contextDir, dockerfile);
}

async function buildWithBuildah(
  options: ImageBuildOptions,
  contextDir: string,
  dockerfile: string,
): Promise<BuiltImage> {
  const base = await inspectImage(options.storage, options.baseImage);
  if (!base) {
    throw new Error(
      `Base image ${options.baseImage} is not in the build storage ${options.storage.root}. Build it with \`npm run base-image\` (or pass the storage that holds it).`,
    );
  }
  const tag = buildTag(options);
  const context = await normalizedContext(contextDir);
  const started = performance.now();
  try {
    await buildah(options.storage, [
      'bud',
      '--quiet',
      '--isolation',
      'chroot',
      '--timestamp',
      '0',
      '--layers=false',
      '--format',
      'oci',
      '--pull=never',
      '--identity-label=false',
      ...buildArgFlags(options),
      '--file',
      join(context, dockerfile),
      '--tag',
      tag,
      context,
    ]);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  const buildMs = performance.now() - started;
  const built = await inspectImage(options.storage, tag);
  if (!built) throw new Error(`buildah built ${tag} but the storage ${options.storage.root} does not list it.`);
  const appLayers = built.manifest.layers.slice(base.manifest.layers.length);
  return {
    engine: 'buildah',
    source: { transport: 'containers-storage', storage: options.storage, image: tag },
    tag,
    digest: built.digest,
    imageId: built.id,
    baseImage: { name: options.baseImage, digest: base.digest },
    baseLayerCount: base.manifest.layers.length,
    appLayers,
    appLayerBytes: appLayers.reduce((sum, layer) => sum + layer.size, 0),
    buildMs,
    keep: async () => {
      const name = `localhost/musiccorp/${options.service}:${options.gitSha}`;
      await buildah(options.storage, ['tag', tag, name]);
      return name;
    },
    dispose: async () => {
      // Removes this build's name; the image goes only when no other name (a kept tag, a concurrent build) holds it.
      await buildah(options.storage, ['rmi', tag]).catch(() => undefined);
    },
  };
}

/** Untested here (no Docker engine on this machine): see the module comment. */
async function buildWithDocker(
  options: ImageBuildOptions,
  contextDir: string,
  dockerfile: string,
): Promise<BuiltImage> {
  const tag = buildTag(options);
  const context = await normalizedContext(contextDir);
  const work = await mkdtemp(join(tmpdir(), 'musiccorp-docker-'));
  const started = performance.now();
  try {
    await tool(
      'docker',
      ['build', ...buildArgFlags(options), '--file', join(context, dockerfile), '--tag', tag, context],
      { env: { SOURCE_DATE_EPOCH: '0', DOCKER_BUILDKIT: '1' } },
    );
  } finally {
    await rm(context, { recursive: true, force: true });
  }
  const buildMs = performance.now() - started;
  const archive = join(work, 'image.tar');
  await tool('docker', ['image', 'save', '--output', archive, tag]);
  const baseDigest = (
    await execa('docker', ['image', 'inspect', '--format', '{{index .RepoDigests 0}}', options.baseImage], {
      reject: false,
    })
  ).stdout.trim();
  const baseLayers = (
    await tool('docker', ['image', 'inspect', '--format', '{{len .RootFS.Layers}}', options.baseImage])
  ).stdout.trim();
  return {
    engine: 'docker',
    source: { transport: 'docker-archive', path: archive },
    tag,
    baseImage: {
      name: options.baseImage,
      ...(baseDigest.includes('@') ? { digest: baseDigest.slice(baseDigest.indexOf('@') + 1) } : {}),
    },
    baseLayerCount: Number.parseInt(baseLayers, 10),
    // measured from the stored image by buildArtifact (docker's own sizes are not the layer blobs')
    appLayers: [],
    appLayerBytes: 0,
    buildMs,
    keep: async () => {
      const name = `localhost/musiccorp/${options.service}:${options.gitSha}`;
      await tool('docker', ['image', 'tag', tag, name]);
      return name;
    },
    dispose: async () => {
      await execa('docker', ['image', 'rm', tag], { reject: false });
      await rm(work, { recursive: true, force: true });
    },
  };
}

function buildTag(options: ImageBuildOptions): string {
  return `localhost/musiccorp/${options.service}:${options.gitSha}-build-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * A copy of the build context with permissions normalised (files 0644, or 0755 when any execute bit is set; dirs 0755),
 * so the checkout's umask and owner don't change the image. `node_modules` and `.git` are left out.
 */
export async function normalizedContext(contextDir: string): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'musiccorp-context-'));
  await cp(contextDir, copy, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (source) => !/(^|\/)(node_modules|\.git)(\/|$)/.test(source.slice(contextDir.length)),
  });
  const walk = async (dir: string): Promise<void> => {
    await chmod(dir, 0o755);
    for (const entry of await readdir(dir)) {
      const path = join(dir, entry);
      const info = await lstat(path);
      if (info.isSymbolicLink()) continue;
      if (info.isDirectory()) await walk(path);
      else await chmod(path, info.mode & 0o111 ? 0o755 : 0o644);
    }
  };
  await walk(copy);
  return copy;
}
