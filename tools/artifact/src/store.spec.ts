/** Which store `openArtifactStore` opens, and how an artifact record names it (no tools needed: nothing is read). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OciLayoutArtifactStore } from './oci-layout-store';
import { RegistryArtifactStore } from './registry-store';
import { openArtifactStore } from './store';

const workspaceRoot = '/ws';

describe('openArtifactStore', () => {
  it('opens the OCI layout at <workspace>/.artifacts/oci, named relative to the workspace in records', () => {
    const store = openArtifactStore({ workspaceRoot, env: {} });
    expect(store).toBeInstanceOf(OciLayoutArtifactStore);
    expect(store.location).toBe(join(workspaceRoot, '.artifacts', 'oci'));
    expect(store.locationForRecord(workspaceRoot)).toBe(join('.artifacts', 'oci'));
  });

  it('opens ARTIFACT_STORE_DIR (relative to the workspace); a store outside the workspace is recorded absolute', () => {
    const inside = openArtifactStore({ workspaceRoot, env: { ARTIFACT_STORE_DIR: 'tmp/store' } });
    expect(inside.location).toBe('/ws/tmp/store');
    expect(inside.locationForRecord(workspaceRoot)).toBe('tmp/store');
    const outside = openArtifactStore({ workspaceRoot, env: { ARTIFACT_STORE_DIR: '/var/lib/artifacts' } });
    expect(outside.locationForRecord(workspaceRoot)).toBe('/var/lib/artifacts');
  });

  it('opens the registry ARTIFACT_REGISTRY names, recorded as host:port', () => {
    const store = openArtifactStore({
      workspaceRoot,
      env: { ARTIFACT_REGISTRY: '127.0.0.1:5000', ARTIFACT_STORE_DIR: 'ignored' },
    });
    expect(store).toBeInstanceOf(RegistryArtifactStore);
    expect(store.kind).toBe('registry');
    expect(store.locationForRecord(workspaceRoot)).toBe('127.0.0.1:5000');
    expect(store.imageReference('catalog', `sha256:${'a'.repeat(64)}`)).toBe(
      `127.0.0.1:5000/musiccorp/catalog@sha256:${'a'.repeat(64)}`,
    );
    expect(() => openArtifactStore({ workspaceRoot, env: { ARTIFACT_REGISTRY: 'http://x' } })).toThrow(
      /ARTIFACT_REGISTRY must be host:port/,
    );
  });
});
