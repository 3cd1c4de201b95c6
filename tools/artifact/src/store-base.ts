/**
 * What both artifact stores share: every read goes through a private single-image OCI layout holding only verified
 * bytes (a "view"), from which `verify`, `materialize` and `loadInto` work the same for the layout and the registry;
 * and the rules for service names and image sources.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspectImage, storageReference, tool, type ContainerStorage } from './containers';
import { assertDigest, type VerifiedImage } from './oci';
import type {
  ArtifactStore,
  ImageSource,
  MaterializedImage,
  PruneOptions,
  PruneResult,
  PublishOptions,
  PublishResult,
  ReadOptions,
} from './store';

export function sourceReference(source: ImageSource): string {
  switch (source.transport) {
    case 'containers-storage':
      return storageReference(source.storage, source.image);
    case 'oci':
      return `oci:${source.dir}${source.ref ? `:${source.ref}` : ''}`;
    default:
      return `${source.transport}:${source.path}`;
  }
}

/** A docker-archive holds a Docker schema 2 image; storing it means converting it, so its digest cannot be kept. */
export function canPreserveDigests(source: ImageSource): boolean {
  return source.transport !== 'docker-archive';
}

/**
 * The command that builds and publishes a service's image again: past the Nx cache, because a cached
 * `nx run <service>:artifact` replays its record and publishes nothing, so a store missing its image stays so.
 */
export const artifactCommand = (service: string | undefined) =>
  `npx nx run ${service ?? '<service>'}:artifact --skip-nx-cache`;

const SERVICE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function assertService(service: string): void {
  if (!SERVICE_NAME.test(service))
    throw new Error(
      `"${service}" cannot name an image repository: use lowercase letters, digits and single . _ - between them.`,
    );
}

/** A single-image OCI layout holding only verified bytes, private to one read. */
export interface View {
  dir: string;
  image: VerifiedImage;
  service?: string;
}

export abstract class BaseArtifactStore implements ArtifactStore {
  abstract readonly kind: 'oci-layout' | 'registry';
  abstract readonly location: string;
  abstract describe(): string;
  abstract locationForRecord(workspaceRoot: string): string;
  abstract imageReference(service: string, digest: string): string;
  abstract publish(source: ImageSource, options: PublishOptions): Promise<PublishResult>;
  abstract has(digest: string, options?: ReadOptions): Promise<boolean>;
  abstract prune(options: PruneOptions): Promise<PruneResult>;
  /** Opens a view of the image, verified; the caller must dispose it with `closeView`. */
  protected abstract openView(digest: string, options: ReadOptions): Promise<View>;

  protected async closeView(view: View): Promise<void> {
    await rm(view.dir, { recursive: true, force: true });
  }

  protected async withView<T>(digest: string, options: ReadOptions, fn: (view: View) => Promise<T>): Promise<T> {
    assertDigest(digest);
    const view = await this.openView(digest, options);
    try {
      return await fn(view);
    } finally {
      await this.closeView(view);
    }
  }

  async verify(digest: string, options: ReadOptions = {}): Promise<VerifiedImage> {
    return this.withView(digest, options, async (view) => view.image);
  }

  async materialize(digest: string, options: ReadOptions & { dest?: string } = {}): Promise<MaterializedImage> {
    return this.withView(digest, options, async (view) => {
      const dir = options.dest ? resolve(options.dest) : await mkdtemp(join(tmpdir(), 'musiccorp-rootfs-'));
      await mkdir(dir, { recursive: true });
      const rootfs = join(dir, 'rootfs');
      // umoci applies whiteouts and refuses paths that escape the root (symlink tricks); it also checks digests again.
      const rootless = typeof process.getuid === 'function' && process.getuid() !== 0 ? ['--rootless'] : [];
      try {
        await tool('umoci', ['raw', 'unpack', ...rootless, '--image', `${view.dir}:image`, rootfs]);
      } catch (error) {
        if (!options.dest) await rm(dir, { recursive: true, force: true });
        throw error;
      }
      const config = view.image.config;
      const env = Object.fromEntries(
        (config.config?.Env ?? []).map((entry) => {
          const at = entry.indexOf('=');
          return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
        }),
      );
      return {
        digest,
        dir,
        rootfs,
        config,
        workdir: join(rootfs, config.config?.WorkingDir || '/'),
        command: [...(config.config?.Entrypoint ?? []), ...(config.config?.Cmd ?? [])],
        env,
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    });
  }

  async loadInto(storage: ContainerStorage, digest: string, options: ReadOptions = {}): Promise<string> {
    return this.withView(digest, options, async (view) => {
      const name = `localhost/musiccorp/${view.service ?? options.service ?? 'artifact'}@${digest}`;
      await tool('skopeo', [
        'copy',
        '--quiet',
        '--preserve-digests',
        `oci:${view.dir}:image`,
        storageReference(storage, name),
      ]);
      const loaded = await inspectImage(storage, name);
      if (loaded?.digest !== digest) {
        throw new Error(
          `Loading ${digest} into ${storage.root} gave ${loaded?.digest ?? 'no image'}: the copy changed the image.`,
        );
      }
      return name;
    });
  }
}
