/**
 * The Node base image, built for real with buildah FROM scratch out of this machine's node, in temp storages.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempStorage, inspectImage, requireTools, type TempStorage } from '../containers';
import { runInContainer } from '../podman';
import { defaultBaseImageName, ensureBaseImage, INPUTS_LABEL, sharedLibraries, type BaseImage } from './base-image';

let first: TempStorage;
let second: TempStorage;
let built: BaseImage;

beforeAll(async () => {
  await requireTools(['buildah', 'podman', 'ldd']);
  first = await createTempStorage('musiccorp-base-a-');
  second = await createTempStorage('musiccorp-base-b-');
  built = await ensureBaseImage({ storage: first });
  console.log(`base image: built in ${(built.ms / 1000).toFixed(1)} s, ${built.name}@${built.digest}`);
}, 120_000);

afterAll(async () => {
  await first?.dispose();
  await second?.dispose();
});

describe('ensureBaseImage', () => {
  it('builds localhost/musiccorp/node-base:<node version> with a digest', () => {
    expect(built.name).toBe(defaultBaseImageName());
    expect(built.name).toBe(`localhost/musiccorp/node-base:${process.versions.node}`);
    expect(built.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(built.reused).toBe(false);
  });

  it('is one layer, dated the epoch, labelled with the hash of its inputs', async () => {
    const info = await inspectImage(first, built.name);
    expect(info?.digest).toBe(built.digest);
    expect(info?.manifest.layers).toHaveLength(1);
    expect(info?.config['created']).toBe('1970-01-01T00:00:00Z');
    expect(info?.labels[INPUTS_LABEL]).toBe(built.inputs);
    expect(info?.labels['io.buildah.version']).toBeUndefined(); // no identity label: the digest does not pin buildah's version
  });

  it('reuses the image when its inputs have not changed (idempotent)', async () => {
    const again = await ensureBaseImage({ storage: first });
    expect(again).toMatchObject({ name: built.name, digest: built.digest, reused: true });
    expect(again.ms).toBeLessThan(built.ms);
  });

  it('is reproducible: another, empty storage gives the same digest', async () => {
    const other = await ensureBaseImage({ storage: second });
    expect(other.reused).toBe(false);
    expect(other.digest).toBe(built.digest);
  }, 120_000);

  it('runs node, as root or as uid 1000 `node`, with /tmp 1777 and the CA bundle', async () => {
    const probe = `const fs = require("node:fs"), os = require("node:os");
      console.log(JSON.stringify({
        version: process.version, user: os.userInfo().username, uid: process.getuid(), home: os.homedir(),
        tmp: (fs.statSync("/tmp").mode & 0o7777).toString(8),
        ca: fs.existsSync("/etc/ssl/certs/ca-certificates.crt"), libs: fs.readdirSync("/usr/lib/x86_64-linux-gnu").length > 0,
        write: (fs.writeFileSync("/tmp/x", "y"), true)
      }))`;
    const asNode = JSON.parse(
      await runInContainer(first, built.name, ['node', '-e', probe], { user: '1000:1000' }),
    ) as Record<string, unknown>;
    expect(asNode).toMatchObject({
      version: process.version,
      user: 'node',
      uid: 1000,
      home: '/home/node',
      tmp: '1777',
      write: true,
      libs: true,
    });
    expect(asNode['ca']).toBe(existsSync('/etc/ssl/certs/ca-certificates.crt'));
    const asRoot = JSON.parse(await runInContainer(first, built.name, ['node', '-e', probe])) as Record<
      string,
      unknown
    >;
    expect(asRoot).toMatchObject({ user: 'root', uid: 0 });
  }, 60_000);

  it('takes the shared libraries and the loader from ldd', async () => {
    const libraries = await sharedLibraries(process.execPath);
    expect(libraries.some((path) => /ld-linux|ld-musl/.test(path))).toBe(true);
    expect(libraries.some((path) => /libc\.so/.test(path))).toBe(true);
  });
});
