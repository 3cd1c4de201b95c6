/**
 * The artifact store in a real OCI registry (`ARTIFACT_REGISTRY=host:port`), e.g. the Debian `docker-registry`. Images
 * go to `host:port/musiccorp/<service>`, pushed BY DIGEST (no mutable tag). The registry itself makes a manifest
 * visible only after all its blobs arrived and matched their digests, so a killed push leaves nothing visible; reads
 * pull into a private layout and re-hash it.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool, ToolError } from './containers';
import {
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  MEDIA_TYPES,
  assertDigest,
  isProcessAlive,
  verifyLayoutImage,
} from './oci';
import type { ImageSource, PruneOptions, PruneResult, PublishOptions, PublishResult, ReadOptions } from './store';
import {
  artifactCommand,
  assertService,
  BaseArtifactStore,
  canPreserveDigests,
  sourceReference,
  type View,
} from './store-base';

/** Deletes the registry store's temp dirs (`musiccorp-push|pull-<pid>-…`) left by processes that died. */
async function sweepDeadTempDirs(): Promise<void> {
  for (const entry of await readdir(tmpdir()).catch(() => [] as string[])) {
    const match = /^musiccorp-(?:push|pull)-(\d+)-/.exec(entry);
    if (match && !isProcessAlive(Number(match[1]))) await rm(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/** The registry at `host:port`, images under `<namespace>/<service>` (namespace `musiccorp` unless given). */
export class RegistryArtifactStore extends BaseArtifactStore {
  readonly kind = 'registry' as const;
  readonly location: string;
  private readonly tlsVerify: boolean;
  private readonly namespace: string;

  constructor(hostPort: string, options: { tlsVerify?: boolean; namespace?: string } = {}) {
    super();
    if (!/^[A-Za-z0-9.-]+(?::\d+)?$/.test(hostPort))
      throw new Error(`ARTIFACT_REGISTRY must be host:port, got "${hostPort}".`);
    this.location = hostPort;
    this.tlsVerify = options.tlsVerify ?? false;
    this.namespace = options.namespace ?? 'musiccorp';
  }

  describe(): string {
    return `artifact registry ${this.location}`;
  }

  /** A registry is named the same from every checkout. */
  locationForRecord(): string {
    return this.location;
  }

  private repository(service: string): string {
    return `${this.location}/${this.namespace}/${service}`;
  }

  imageReference(service: string, digest: string): string {
    return `${this.repository(service)}@${digest}`;
  }

  private get baseUrl(): string {
    return `${this.tlsVerify ? 'https' : 'http'}://${this.location}`;
  }

  private async manifestExists(service: string, digest: string): Promise<boolean> {
    const response = await fetch(`${this.baseUrl}/v2/${this.namespace}/${service}/manifests/${digest}`, {
      method: 'HEAD',
      headers: { accept: [MEDIA_TYPES.manifest, MEDIA_TYPES.dockerManifest, MEDIA_TYPES.index].join(', ') },
    });
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw new Error(`${this.describe()}: HEAD manifest ${digest} answered ${response.status}.`);
  }

  /** The service whose repository holds the digest, from the registry's catalog. */
  private async findService(digest: string): Promise<string | undefined> {
    // Paged: the registry caps `n` (distribution: 1000) and links the next page.
    let next: string | undefined = `/v2/_catalog?n=100`;
    while (next) {
      const response: Response = await fetch(`${this.baseUrl}${next}`);
      if (!response.ok)
        throw new Error(`${this.describe()}: GET ${next} answered ${response.status}; pass the service name.`);
      const { repositories = [] } = (await response.json()) as { repositories?: string[] };
      for (const repository of repositories) {
        if (!repository.startsWith(`${this.namespace}/`)) continue;
        const service = repository.slice(this.namespace.length + 1);
        if (await this.manifestExists(service, digest)) return service;
      }
      next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
    }
    return undefined;
  }

  async has(digest: string, options: ReadOptions = {}): Promise<boolean> {
    assertDigest(digest);
    if (options.service) return this.manifestExists(options.service, digest);
    return (await this.findService(digest)) !== undefined;
  }

  /**
   * Refuses, deleting nothing: images are pushed here by digest, untagged, and the distribution API lists tags, not
   * manifests, so what the registry holds cannot even be listed; and deleting a manifest frees no space until the
   * registry's own garbage collection runs, which must not run beside a push. Cleaning up is the registry's job.
   */
  async prune(options: PruneOptions): Promise<PruneResult> {
    const referenced = [...options.referenced].map(([digest, where]) => `  ${digest}  ${where.join(', ')}`);
    throw new Error(
      [
        `The ${this.describe()} is not pruned by this command; nothing was deleted. Its images are pushed by digest, ` +
          `without tags, and a registry lists tags, not digests, so what it holds cannot be listed here; deleting a ` +
          `manifest would free nothing until the registry's own garbage collection runs (which must not run during a ` +
          `push). Clean it up with the registry's retention rules or garbage collection in a maintenance window — ` +
          `never a rule that deletes untagged manifests: every artifact is untagged.`,
        referenced.length > 0
          ? `Keep at least these digests, which this workspace still references:\n${referenced.join('\n')}`
          : 'This workspace references no digest (no deploy/ manifests, no records under dist/).',
      ].join('\n'),
    );
  }

  async publish(source: ImageSource, options: PublishOptions): Promise<PublishResult> {
    assertService(options.service);
    const expected = options.expectedDigest;
    if (expected) {
      assertDigest(expected);
      if (await this.manifestExists(options.service, expected))
        return { digest: expected, reference: this.imageReference(options.service, expected), alreadyPresent: true };
    }
    await sweepDeadTempDirs();
    const work = await mkdtemp(join(tmpdir(), `musiccorp-push-${process.pid}-`));
    try {
      const digestFile = join(work, 'digest');
      // By digest when it is known (no tag to move); a docker-archive is converted, so its digest is known only after.
      const destination = expected
        ? this.imageReference(options.service, expected)
        : `${this.repository(options.service)}:git-${options.gitSha ?? 'unknown'}`;
      await tool('skopeo', [
        'copy',
        '--quiet',
        ...(canPreserveDigests(source) ? ['--preserve-digests'] : []),
        `--dest-tls-verify=${this.tlsVerify}`,
        '--digestfile',
        digestFile,
        sourceReference(source),
        `docker://${destination}`,
      ]);
      const digest = (await readFile(digestFile, 'utf8')).trim();
      if (expected && digest !== expected)
        throw new Error(`Pushing to ${destination} stored ${digest}, not the built ${expected}.`);
      return { digest, reference: this.imageReference(options.service, digest), alreadyPresent: false };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  protected async openView(digest: string, options: ReadOptions): Promise<View> {
    const service = options.service ?? (await this.findService(digest));
    if (!service || !(await this.manifestExists(service, digest))) {
      throw new ArtifactNotFoundError(
        `Image ${digest} is not in the ${this.describe()}${service ? ` under ${this.namespace}/${service}` : ''}. Run the artifact stage for its service to build and publish it.`,
        digest,
      );
    }
    await sweepDeadTempDirs();
    const dir = await mkdtemp(join(tmpdir(), `musiccorp-pull-${process.pid}-`));
    const reference = this.imageReference(service, digest);
    try {
      // skopeo checks each blob against its digest as it downloads; the layout is then hashed again, whole.
      await tool('skopeo', [
        'copy',
        '--quiet',
        '--preserve-digests',
        `--src-tls-verify=${this.tlsVerify}`,
        `docker://${reference}`,
        `oci:${dir}:image`,
      ]).catch((error: unknown) => {
        if (error instanceof ToolError && /digest|checksum/i.test(error.stderr)) {
          throw new ArtifactIntegrityError(
            `${this.describe()}: ${reference} does not match its digests: ${error.stderr}. Delete the image from the registry and re-run the artifact stage: ${artifactCommand(service)}.`,
            digest,
            reference,
          );
        }
        throw error;
      });
      const image = await verifyLayoutImage(dir, digest, {
        storeLabel: this.describe(),
        location: (blob) => `${this.baseUrl}/v2/${this.namespace}/${service}/blobs/${blob}`,
        fix: () =>
          `Delete the image from the registry (or repair its storage) and re-run the artifact stage: ${artifactCommand(service)}.`,
      });
      return { dir, image, service };
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }
}
