/**
 * Test fixtures for the artifact layer (reusable by other tests): a tiny service folder shaped like a generated one,
 * and hand-made OCI images, so tests depend on neither services/ nor a public registry.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool } from '../containers';
import { MEDIA_TYPES, REF_NAME, sha256File, sha256Of, type OciIndex, type OciManifest } from '../oci';

/** The Dockerfile of a generated service (build context: the service folder). */
export const FIXTURE_DOCKERFILE = `ARG BASE_IMAGE=docker.io/library/node:20.20.2-bookworm-slim
FROM \${BASE_IMAGE}
ARG GIT_SHA=unknown
LABEL org.opencontainers.image.title="fixture" \\
      org.opencontainers.image.revision="\${GIT_SHA}" \\
      io.musiccorp.team="platform"
WORKDIR /app
COPY dist/ /app/
ENV NODE_ENV=production
USER 1000:1000
EXPOSE 3000
CMD ["node","--enable-source-maps","main.js"]
`;

// Split so that tools reading this .ts file don't take it for this file's own source-map comment.
const SOURCE_MAP_COMMENT = ['//', '# sourceMappingURL=main.js.map'].join('');

/** A bundle like esbuild's output: one CommonJS file serving /health/ready with node:http, JSON logs on stdout. */
export function fixtureBundle(marker = 'v1'): string {
  return `"use strict";
const http = require("node:http");
const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "0.0.0.0";
const server = http.createServer((req, res) => {
  if (req.url === "/health/ready" || req.url === "/health/live") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "ready", marker: ${JSON.stringify(marker)}, uid: process.getuid() }));
    return;
  }
  res.writeHead(404, { "content-type": "application/json" });
  res.end('{"error":"not found"}');
});
server.listen(port, host, () => console.log(JSON.stringify({ level: 30, msg: "listening", port, host })));
const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
${SOURCE_MAP_COMMENT}
`;
}

export interface FixtureService {
  root: string;
  dispose(): Promise<void>;
}

/** A service folder: Dockerfile, .dockerignore (only dist/ reaches the context), dist/main.js + .map, a src/ file. */
export async function createFixtureService(options: { marker?: string; dir?: string } = {}): Promise<FixtureService> {
  const root = options.dir ?? (await mkdtemp(join(tmpdir(), 'musiccorp-fixture-service-')));
  await mkdir(join(root, 'dist'), { recursive: true });
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(join(root, 'Dockerfile'), FIXTURE_DOCKERFILE);
  await writeFile(join(root, '.dockerignore'), '*\n!dist\n');
  await writeFile(join(root, 'dist', 'main.js'), fixtureBundle(options.marker));
  await writeFile(
    join(root, 'dist', 'main.js.map'),
    JSON.stringify({ version: 3, sources: ['../src/main.ts'], names: [], mappings: '' }),
  );
  await writeFile(join(root, 'src', 'main.ts'), '// not in the image: .dockerignore lets only dist/ through\n');
  return { root, dispose: () => rm(root, { recursive: true, force: true }) };
}

export interface HandmadeImage {
  /** OCI layout directory holding the image under ref `image`. */
  dir: string;
  digest: string;
  manifest: OciManifest;
  dispose(): Promise<void>;
}

/**
 * An OCI image made by hand: one uncompressed tar layer of `files` (deterministic: sorted, mtime 0, root-owned), plus
 * optionally a copy of a big file (e.g. the node binary, ~100 MB) so a copy takes long enough to be interrupted. Two
 * images of the same files with another `cmd` share their layer blob.
 */
export async function createHandmadeImage(options: {
  files: Record<string, string>;
  bigFile?: string;
  dir?: string;
  /** The config's Cmd (default `["/bin/true"]`). */
  cmd?: string[];
}): Promise<HandmadeImage> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'musiccorp-oci-image-')));
  const work = await mkdtemp(join(tmpdir(), 'musiccorp-oci-work-'));
  try {
    const rootfs = join(work, 'rootfs');
    for (const [path, content] of Object.entries(options.files)) {
      await mkdir(join(rootfs, path, '..'), { recursive: true });
      await writeFile(join(rootfs, path), content);
    }
    if (options.bigFile) {
      await mkdir(join(rootfs, 'big'), { recursive: true });
      await copyFile(options.bigFile, join(rootfs, 'big', 'blob'));
    }
    const layer = join(work, 'layer.tar');
    await tool('tar', [
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--mode=u+rw,go+r',
      '-C',
      rootfs,
      '-cf',
      layer,
      '.',
    ]);
    const layerInfo = await sha256File(layer);
    const config = JSON.stringify({
      created: '1970-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/bin:/bin'], Cmd: options.cmd ?? ['/bin/true'], WorkingDir: '/' },
      rootfs: { type: 'layers', diff_ids: [layerInfo.digest] },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: 'createHandmadeImage' }],
    });
    const manifest: OciManifest = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.manifest,
      config: { mediaType: MEDIA_TYPES.config, digest: sha256Of(config), size: Buffer.byteLength(config) },
      layers: [{ mediaType: MEDIA_TYPES.layer, digest: layerInfo.digest, size: layerInfo.size }],
    };
    const manifestText = JSON.stringify(manifest);
    const digest = sha256Of(manifestText);
    const blobs = join(dir, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    await writeFile(join(blobs, manifest.config.digest.slice(7)), config);
    await writeFile(join(blobs, digest.slice(7)), manifestText);
    await copyFile(layer, join(blobs, layerInfo.digest.slice(7)));
    const index: OciIndex = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.index,
      manifests: [
        {
          mediaType: MEDIA_TYPES.manifest,
          digest,
          size: Buffer.byteLength(manifestText),
          annotations: { [REF_NAME]: 'image' },
        },
      ],
    };
    await writeFile(join(dir, 'index.json'), JSON.stringify(index));
    await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    return { dir, digest, manifest, dispose: () => rm(dir, { recursive: true, force: true }) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Flips one byte of a file in place (a blob's file is read-only: chmod first, as an attacker or a bad disk would). */
export async function corruptFile(path: string, offset = 0): Promise<void> {
  const bytes = await readFile(path);
  const at = Math.min(offset, bytes.length - 1);
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  await chmod(path, 0o644);
  await writeFile(path, bytes);
}
