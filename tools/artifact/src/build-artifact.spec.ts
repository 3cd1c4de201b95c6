/**
 * The artifact stage end to end, for real: the base image built once (buildah, FROM scratch, shared by every test
 * here), a fixture service built into ONE image, stored by digest, read back verified, run by podman and — without
 * podman — materialized and run with the local node; pushed to and pulled from a real registry with the same digest.
 */
import { createHash } from 'node:crypto';
import { chmod, cp, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '@musiccorp/core/git';
import { PLATFORM_VERSION } from '@musiccorp/core/provenance';
import { renderTemplate } from '@musiccorp/core/render';
import { freePort, startService } from '@musiccorp/core/service-process';
import { ensureBaseImage, type BaseImage } from './base-image/base-image';
import { OciLayoutArtifactStore } from './oci-layout-store';
import { RegistryArtifactStore } from './registry-store';
import { openArtifactStore, type ArtifactStore } from './store';
import {
  artifactRecordPath,
  buildArtifact,
  readArtifactRecord,
  type ArtifactRecord,
  type BuildMetrics,
} from './build-artifact';
import { createTempStorage, inspectImage, requireTools, type TempStorage } from './containers';
import { buildImage } from './image-build';
import { containerLogs, runInContainer, startContainer } from './podman';
import { startRegistry, type RunningRegistry } from './registry';
import { createFixtureService, type FixtureService } from './testing/fixtures';

const GIT_SHA = '0123456789abcdef0123456789abcdef01234567';

let scratch: string;
let storage: TempStorage; // build storage: base image + builds
let podmanStorage: TempStorage; // a separate "deploy host" storage, filled only from the artifact store
let base: BaseImage;
let service: FixtureService;
let workspaceA: string;
let record: ArtifactRecord;

/** The fixture service built by the artifact stage into `store`; engine pinned: with a Docker engine, 'auto' would pick docker. */
function buildFixture(
  workspaceRoot: string,
  store: ArtifactStore,
  serviceRoot = service.root,
): Promise<ArtifactRecord> {
  return buildArtifact({
    workspaceRoot,
    serviceRoot,
    service: 'fixture',
    gitSha: GIT_SHA,
    baseImage: base.name,
    store,
    storage,
    engine: 'buildah',
  });
}

beforeAll(async () => {
  await requireTools(['buildah', 'skopeo', 'podman', 'umoci', 'docker-registry']);
  scratch = await mkdtemp(join(tmpdir(), 'musiccorp-artifact-spec-'));
  storage = await createTempStorage('musiccorp-build-storage-');
  podmanStorage = await createTempStorage('musiccorp-deploy-storage-');
  base = await ensureBaseImage({ storage });
  console.log(
    `base image ${base.reused ? 'reused' : `built in ${(base.ms / 1000).toFixed(1)} s`}: ${base.name}@${base.digest}`,
  );
  service = await createFixtureService({ dir: join(scratch, 'services', 'fixture') });
  workspaceA = join(scratch, 'workspace-a');
  const started = performance.now();
  record = await buildFixture(workspaceA, openArtifactStore({ workspaceRoot: workspaceA, env: {} }));
  const metrics = JSON.parse(
    await readFile(join(workspaceA, 'dist', 'artifacts', 'fixture', 'build-metrics.json'), 'utf8'),
  ) as BuildMetrics;
  console.log(
    `artifact stage: ${Math.round(performance.now() - started)} ms (build ${metrics.buildMs} ms, publish ${metrics.publishMs} ms, verify ${metrics.verifyMs} ms), app layer ${record.appLayer.bytes} bytes, ${record.digest}`,
  );
}, 180_000);

afterAll(async () => {
  await storage?.dispose();
  await podmanStorage?.dispose();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('buildArtifact', () => {
  it('writes dist/artifacts/<service>/artifact.json naming the image by digest', async () => {
    const path = artifactRecordPath(workspaceA, 'fixture');
    expect(path).toBe(join(workspaceA, 'dist', 'artifacts', 'fixture', 'artifact.json'));
    expect(await readArtifactRecord(workspaceA, 'fixture')).toEqual(record);
    const bundle = await readFile(join(service.root, 'dist', 'main.js'));
    expect(record).toEqual({
      service: 'fixture',
      gitSha: GIT_SHA,
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      image: `musiccorp/fixture@${record.digest}`,
      bundleSha256: createHash('sha256').update(bundle).digest('hex'),
      baseImage: `${base.name}@${base.digest}`,
      appLayer: { digests: [expect.stringMatching(/^sha256:/)], bytes: expect.any(Number) },
      store: { kind: 'oci-layout', location: join('.artifacts', 'oci') },
      engine: 'buildah',
    });
    expect(Object.keys(record)).not.toContain('createdAt');
  });

  it('stores exactly that image; the app layer holds only dist/ and is small', async () => {
    const store = new OciLayoutArtifactStore(join(workspaceA, '.artifacts', 'oci'));
    const image = await store.verify(record.digest);
    expect(image.layers).toHaveLength(2); // the base layer, then COPY dist/ /app/
    expect(image.layers[1]!.digest).toBe(record.appLayer.digests[0]);
    expect(record.appLayer.bytes).toBeLessThan(16 * 1024);
    expect(image.config.config).toMatchObject({
      User: '1000:1000',
      WorkingDir: '/app',
      Cmd: ['node', '--enable-source-maps', 'main.js'],
      Labels: expect.objectContaining({ 'org.opencontainers.image.revision': GIT_SHA }),
    });
    expect(image.config.created).toBe('1970-01-01T00:00:00Z');
    expect(image.manifest.annotations?.['org.opencontainers.image.base.digest']).toBe(base.digest);
    // The build storage no longer tags it: from now on the store is where the artifact lives.
    expect(await inspectImage(storage, `localhost/musiccorp/fixture:${GIT_SHA}`)).toBeUndefined();
  });

  it('is reproducible: a fresh checkout (new mtimes, another umask) in another workspace gives the same digest and record', async () => {
    const workspaceB = join(scratch, 'workspace-b');
    const checkout = join(scratch, 'checkout-b', 'fixture');
    await cp(service.root, checkout, { recursive: true });
    await utimes(join(checkout, 'dist', 'main.js'), new Date('2031-05-05T00:00:00Z'), new Date('2031-05-05T00:00:00Z'));
    await chmod(join(checkout, 'dist', 'main.js'), 0o664);
    await chmod(join(checkout, 'dist'), 0o775);
    const again = await buildFixture(workspaceB, openArtifactStore({ workspaceRoot: workspaceB, env: {} }), checkout);
    expect(again.digest).toBe(record.digest);
    expect(await readFile(artifactRecordPath(workspaceB, 'fixture'), 'utf8')).toBe(
      await readFile(artifactRecordPath(workspaceA, 'fixture'), 'utf8'),
    );
  }, 120_000);

  it('two artifact stages for the same commit at once: same digest, one stored copy, no error', async () => {
    const workspaceD = join(scratch, 'workspace-d');
    const store = new OciLayoutArtifactStore(join(workspaceD, '.artifacts', 'oci'));
    const stage = () => buildFixture(workspaceD, store);
    const [one, two] = await Promise.all([stage(), stage()]);
    expect(one!.digest).toBe(record.digest);
    expect(two!.digest).toBe(record.digest);
    expect(await store.list()).toHaveLength(1);
    expect(await readdir(join(store.location, 'blobs', 'sha256'))).toHaveLength(4); // manifest, config, 2 layers
  }, 120_000);

  it('gives another digest for another commit or another bundle', async () => {
    const otherSha = await buildImage({
      contextDir: service.root,
      service: 'fixture',
      gitSha: 'fedcba9',
      baseImage: base.name,
      storage,
      engine: 'buildah',
    });
    const otherBundle = await createFixtureService({ marker: 'v2', dir: join(scratch, 'services-v2', 'fixture') });
    const changed = await buildImage({
      contextDir: otherBundle.root,
      service: 'fixture',
      gitSha: GIT_SHA,
      baseImage: base.name,
      storage,
      engine: 'buildah',
    });
    try {
      expect(otherSha.digest).not.toBe(record.digest);
      expect(changed.digest).not.toBe(record.digest);
      expect(changed.appLayers[0]!.digest).not.toBe(record.appLayer.digests[0]);
    } finally {
      await otherSha.dispose();
      await changed.dispose();
    }
  }, 120_000);

  it('refuses to build when the base image is not in the build storage, saying how to get it', async () => {
    await expect(
      buildImage({
        contextDir: service.root,
        service: 'fixture',
        gitSha: GIT_SHA,
        baseImage: 'localhost/musiccorp/node-base:0.0.0',
        storage,
        engine: 'buildah',
      }),
    ).rejects.toThrow(
      /Base image localhost\/musiccorp\/node-base:0\.0\.0 is not in the build storage .*npm run base-image/,
    );
  });
});

describe("a generated service's image labels", () => {
  it('are its own: version, title and description from package.json, source from the git remote, no created', async () => {
    // The service template's own Dockerfile, .dockerignore and package.json around the fixture's bundle.
    const answers = {
      name: 'label-check',
      team: 'catalog',
      teamHandle: '@musiccorp/catalog',
      port: 3190,
      description: 'Checks "labels": $HOME, ${GIT_SHA} and \\ stay as written.',
      platformVersion: PLATFORM_VERSION,
    };
    const root = join(scratch, 'labels', answers.name);
    await cp(service.root, root, { recursive: true });
    const rendered = renderTemplate('service', answers).filter((file) =>
      ['Dockerfile', '.dockerignore', 'package.json'].includes(file.path),
    );
    expect(rendered).toHaveLength(3);
    for (const file of rendered) await writeFile(join(root, file.path), file.content);
    const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    git(root, ['init', '--quiet']);
    git(root, ['remote', 'add', 'origin', 'https://ci-bot:s3cret@git.example/musiccorp/platform.git']);

    const built = await buildImage({
      contextDir: root,
      service: answers.name,
      gitSha: GIT_SHA,
      baseImage: base.name,
      storage,
      engine: 'buildah',
    });
    try {
      const image = await inspectImage(storage, built.tag);
      expect(image?.labels).toMatchObject({
        'org.opencontainers.image.version': version,
        'org.opencontainers.image.title': answers.name,
        'org.opencontainers.image.description': answers.description,
        'org.opencontainers.image.source': 'https://git.example/musiccorp/platform',
        'org.opencontainers.image.revision': GIT_SHA,
        'io.musiccorp.service': answers.name,
        'io.musiccorp.team': answers.team,
      });
      expect(version).not.toBe(process.versions.node); // not the base image's label, which it overrides
      expect(image?.labels).not.toHaveProperty('org.opencontainers.image.created');
      expect(image?.config['created']).toBe('1970-01-01T00:00:00Z'); // fixed: the same commit, the same digest
    } finally {
      await built.dispose();
    }
  }, 120_000);
});

describe('running the stored artifact', () => {
  it('podman runs it after loading it from the store by digest (--network none: probed from inside)', async () => {
    const store = new OciLayoutArtifactStore(join(workspaceA, '.artifacts', 'oci'));
    const image = await store.loadInto(podmanStorage, record.digest);
    expect(image).toBe(`localhost/musiccorp/fixture@${record.digest}`);
    expect((await inspectImage(podmanStorage, image))?.digest).toBe(record.digest);

    expect((await runInContainer(podmanStorage, image, ['node', '--version'])).trim()).toBe(process.version);
    // Start the image's own command inside the container and call it over the container's loopback.
    const probe = `const { spawn } = require("node:child_process");
      const app = spawn("node", ["--enable-source-maps", "main.js"], { env: { ...process.env, PORT: "3000" }, stdio: "ignore" });
      (async () => {
        for (let i = 0; i < 200; i++) {
          try { const r = await fetch("http://127.0.0.1:3000/health/ready"); console.log(JSON.stringify({ status: r.status, body: await r.json(), cwd: process.cwd() })); app.kill(); return; }
          catch { await new Promise((resolve) => setTimeout(resolve, 25)); }
        }
        app.kill(); process.exit(1);
      })();`;
    const answer = JSON.parse(
      await runInContainer(podmanStorage, image, ['node', '-e', probe], { network: 'none' }),
    ) as {
      status: number;
      body: { status: string; uid: number };
      cwd: string;
    };
    expect(answer).toEqual({ status: 200, body: { status: 'ready', marker: 'v1', uid: 1000 }, cwd: '/app' });
  }, 120_000);

  it('podman runs its own CMD with --network host, reachable on 127.0.0.1 from outside', async () => {
    const store = new OciLayoutArtifactStore(join(workspaceA, '.artifacts', 'oci'));
    const image = await store.loadInto(podmanStorage, record.digest);
    const port = await freePort();
    const container = await startContainer(podmanStorage, image, {
      network: 'host',
      env: { PORT: String(port), HOST: '127.0.0.1' },
    });
    try {
      let status = 0;
      for (let i = 0; i < 200 && status !== 200; i++) {
        status = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
          (response) => response.status,
          () => 0,
        );
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(status, await containerLogs(podmanStorage, container.name)).toBe(200);
      expect(await containerLogs(podmanStorage, container.name)).toContain('"msg":"listening"');
    } finally {
      await container.stop();
    }
  }, 120_000);

  it('without podman: materialize the rootfs and run main.js with the local node', async () => {
    const store = new OciLayoutArtifactStore(join(workspaceA, '.artifacts', 'oci'));
    const rootfs = await store.materialize(record.digest);
    try {
      expect(rootfs.workdir).toBe(join(rootfs.rootfs, 'app'));
      expect(rootfs.command).toEqual(['node', '--enable-source-maps', 'main.js']);
      expect(await readFile(join(rootfs.workdir, 'main.js'))).toEqual(
        await readFile(join(service.root, 'dist', 'main.js')),
      );
      const running = await startService({
        cwd: rootfs.workdir,
        entry: rootfs.command.at(-1)!,
        port: await freePort(),
        env: { NODE_ENV: rootfs.env['NODE_ENV'] ?? '' },
      });
      try {
        const response = await fetch(`${running.url}/health/ready`);
        expect(response.status).toBe(200);
        expect(await response.json()).toMatchObject({ status: 'ready', marker: 'v1' });
      } finally {
        await running.stop();
      }
    } finally {
      await rootfs.dispose();
    }
  }, 60_000);
});

describe('with ARTIFACT_REGISTRY (a real docker-registry)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('the same build pushed to the registry has the same digest, and pulls back verified', async () => {
    const workspaceC = join(scratch, 'workspace-c');
    const store = openArtifactStore({ workspaceRoot: workspaceC, env: { ARTIFACT_REGISTRY: registry.host } });
    expect(store).toBeInstanceOf(RegistryArtifactStore);
    const pushed = await buildFixture(workspaceC, store);
    expect(pushed.digest).toBe(record.digest); // one artifact, whichever store holds it
    expect(pushed.image).toBe(`${registry.host}/musiccorp/fixture@${record.digest}`);
    expect(pushed.store).toEqual({ kind: 'registry', location: registry.host });

    const response = await fetch(`${registry.url}/v2/musiccorp/fixture/manifests/${record.digest}`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    expect(response.headers.get('docker-content-digest')).toBe(record.digest);

    const pulled = await store.verify(record.digest, { service: 'fixture' });
    expect(pulled.layers.map((layer) => layer.digest)).toEqual(
      (await new OciLayoutArtifactStore(join(workspaceA, '.artifacts', 'oci')).verify(record.digest)).layers.map(
        (layer) => layer.digest,
      ),
    );

    const deploy = await createTempStorage('musiccorp-deploy-from-registry-');
    try {
      const image = await store.loadInto(deploy, record.digest, { service: 'fixture' });
      expect(
        (
          await runInContainer(deploy, image, ['node', '-p', 'require("node:fs").readdirSync("/app").sort().join(",")'])
        ).trim(),
      ).toBe('main.js,main.js.map');
    } finally {
      await deploy.dispose();
    }
  }, 120_000);
});
