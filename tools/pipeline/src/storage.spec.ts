/**
 * The pipeline's container storages work from a checkout at any depth: podman refuses a run root longer than 50
 * characters (exit 125), so each storage's run root is a short private folder under /tmp, while its graph root stays
 * in the workspace. With real skopeo, podman and runc: the stored image loaded and run through runStorage() of a
 * workspace whose path is longer than 80 characters, as the slow-test stage does.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeStorage, requireTools } from '@musiccorp/artifact/containers';
import { OciLayoutArtifactStore } from '@musiccorp/artifact/oci-layout-store';
import { runInContainer } from '@musiccorp/artifact/podman';
import { createHandmadeImage, type HandmadeImage } from '@musiccorp/artifact/testing/fixtures';
import { buildStorage, disposeWorkspaceStorages, runStorage } from './storage';

/** A checkout as deep as a GitHub runner's, /home/runner/work/<repo>/<repo>, under a temp folder. */
const deepCheckout = (parent: string) =>
  join(parent, 'home', 'runner', 'work', 'musiccorp-platform', 'musiccorp-platform', 'services-checkout');

let parent: string;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'musiccorp-deep-'));
});
afterAll(() => rm(parent, { recursive: true, force: true }));

describe('container storages', () => {
  it('keep the graph root in the workspace and a short private run root apart from it, one per storage', () => {
    const workspaceRoot = join(deepCheckout(parent), 'x'.repeat(120));
    const storages = [buildStorage(workspaceRoot, {}), runStorage(workspaceRoot, {})];
    for (const storage of storages) {
      expect(storage.root.startsWith(workspaceRoot)).toBe(true);
      expect(storage.runroot.length).toBeLessThanOrEqual(50);
      expect(storage.runroot.startsWith(workspaceRoot)).toBe(false);
      expect(statSync(storage.runroot).mode & 0o777).toBe(0o700);
    }
    expect(storages[0]!.runroot).not.toBe(storages[1]!.runroot);
    // the same storage gets the same run root from every process; another workspace's gets its own
    expect(runStorage(workspaceRoot, {}).runroot).toBe(storages[1]!.runroot);
    expect(runStorage(deepCheckout(parent), {}).runroot).not.toBe(storages[1]!.runroot);
    const moved = runStorage(workspaceRoot, { PIPELINE_RUN_STORAGE: join(parent, 'run') });
    expect(moved.root).toBe(join(parent, 'run', 'root'));
    for (const storage of [...storages, moved, runStorage(deepCheckout(parent), {})])
      rmSync(storage.runroot, { recursive: true, force: true });
  });

  it("disposeWorkspaceStorages removes the workspace's own storages and their run roots, not moved ones", async () => {
    const workspaceRoot = join(deepCheckout(parent), 'disposed');
    const own = [buildStorage(workspaceRoot, {}), runStorage(workspaceRoot, {})];
    const moved = runStorage(workspaceRoot, { PIPELINE_RUN_STORAGE: join(parent, 'moved') });
    for (const storage of [...own, moved]) await mkdir(join(storage.root, 'vfs'), { recursive: true });
    await disposeWorkspaceStorages(workspaceRoot);
    for (const storage of own) expect([existsSync(storage.root), existsSync(storage.runroot)]).toEqual([false, false]);
    expect([existsSync(moved.root), existsSync(moved.runroot)]).toEqual([true, true]);
    await disposeStorage(moved);
  });

  describe('a stored image run with podman from a workspace path of 80+ characters', () => {
    let image: HandmadeImage | undefined;
    beforeAll(async () => {
      await requireTools(['skopeo', 'podman', 'runc', 'tar']);
      // catatonit is statically linked: the one-file image runs it without any library
      image = await createHandmadeImage({
        files: { 'etc/service.txt': 'long-path\n' },
        bigFile: '/usr/bin/catatonit',
        cmd: ['/big/blob', '--version'],
      });
    });
    afterAll(() => image?.dispose());

    it('loads and runs', async () => {
      const workspaceRoot = deepCheckout(parent);
      expect(workspaceRoot.length).toBeGreaterThan(80);
      const store = new OciLayoutArtifactStore(join(workspaceRoot, '.artifacts', 'oci'));
      const { digest } = await store.publish(
        { transport: 'oci', dir: image!.dir, ref: 'image' },
        { service: 'long-path' },
      );
      const storage = runStorage(workspaceRoot, {});
      try {
        const name = await store.loadInto(storage, digest, { service: 'long-path' });
        expect(await runInContainer(storage, name, [])).toContain('catatonit');
      } finally {
        await disposeStorage(storage, dirname(storage.root));
      }
    });
  });
});
