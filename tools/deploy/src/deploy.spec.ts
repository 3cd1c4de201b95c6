/**
 * The deploy stage end to end, with a real image in a real OCI-layout artifact store (skopeo): verify before
 * rendering, refuse a tampered or missing artifact, environments in order, production only with approval — and the
 * CLI's exit codes.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { artifactRecordPath } from '@musiccorp/artifact/build-artifact';
import { requireTools } from '@musiccorp/artifact/containers';
import { blobPath } from '@musiccorp/artifact/oci';
import { corruptFile } from '@musiccorp/artifact/testing/fixtures';
import { ArtifactRefusedError } from './artifact';
import { ApprovalRequiredError, deploy, DeployUsageError, PromotionOrderError } from './deploy';
import {
  createDeployWorkspace,
  publishFixtureArtifact,
  type DeployWorkspace,
  type FixtureArtifact,
} from './testing/workspace';

const HERE = dirname(fileURLToPath(import.meta.url));

let ws: DeployWorkspace;
let fixture: FixtureArtifact;

beforeAll(async () => {
  await requireTools(['skopeo', 'tar']);
});

beforeEach(async () => {
  // The store the record names, not one a developer's shell points at.
  vi.stubEnv('ARTIFACT_REGISTRY', '');
  vi.stubEnv('ARTIFACT_STORE_DIR', '');
  ws = await createDeployWorkspace(['catalog']);
  fixture = await publishFixtureArtifact(ws.root, 'catalog');
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await ws.dispose();
});

const deployed = (env: string) => existsSync(join(ws.root, 'deploy', env, 'catalog'));

async function imageIn(env: string): Promise<string> {
  const text = await readFile(join(ws.root, 'deploy', env, 'catalog', 'deployment.yaml'), 'utf8');
  return (parse(text) as { spec: { template: { spec: { containers: { image: string }[] } } } }).spec.template.spec
    .containers[0]!.image;
}

describe('deploy', () => {
  it('verifies the artifact, then promotes the same digest through ci, preprod and production (approved)', async () => {
    const lines: string[] = [];
    const outcome = await deploy({
      workspaceRoot: ws.root,
      service: 'catalog',
      approvals: 'all',
      log: (l) => lines.push(l),
    });
    expect(outcome.rendered.map((r) => [r.environment, r.replicas, r.change])).toEqual([
      ['ci', 1, 'created'],
      ['preprod', 2, 'created'],
      ['production', 4, 'created'],
    ]);
    expect(outcome.awaitingApproval).toBeUndefined();
    const image = `registry.musiccorp.example/musiccorp/catalog@${fixture.record.digest}`;
    for (const env of ['ci', 'preprod', 'production']) expect(await imageIn(env)).toBe(image);
    expect(lines[0]).toMatch(new RegExp(`^catalog ${fixture.record.digest} .* verified in the artifact store `));
  });

  it('with env "all" and no approval, stops before production and says so', async () => {
    const outcome = await deploy({ workspaceRoot: ws.root, service: 'catalog' });
    expect(outcome.rendered.map((r) => r.environment)).toEqual(['ci', 'preprod']);
    expect(outcome.awaitingApproval).toBe('production');
    expect(deployed('production')).toBe(false);
  });

  it('refuses production without approval, before reading anything else', async () => {
    await deploy({ workspaceRoot: ws.root, service: 'catalog' });
    const refused = deploy({ workspaceRoot: ws.root, service: 'catalog', env: 'production' });
    await expect(refused).rejects.toThrow(ApprovalRequiredError);
    await expect(refused).rejects.toThrow(/production requires approval.*--approve.*DEPLOY_APPROVED=production/);
    expect(deployed('production')).toBe(false);

    const approved = await deploy({
      workspaceRoot: ws.root,
      service: 'catalog',
      env: 'production',
      approvals: new Set(['production']),
    });
    expect(approved.rendered.map((r) => r.environment)).toEqual(['production']);
  });

  it('keeps the order: an environment only gets the digest the one before it has', async () => {
    await expect(deploy({ workspaceRoot: ws.root, service: 'catalog', env: 'preprod' })).rejects.toThrow(
      /Refusing to deploy catalog sha256:\w+ to preprod: ci has no deployment of it .* deploy it to ci first/,
    );
    await deploy({ workspaceRoot: ws.root, service: 'catalog', env: 'ci' });
    await deploy({ workspaceRoot: ws.root, service: 'catalog', env: 'preprod' });

    // A new build reaches ci; production may not skip preprod to get it.
    const next = await publishFixtureArtifact(ws.root, 'catalog', 'v2');
    await deploy({ workspaceRoot: ws.root, service: 'catalog', env: 'ci' });
    const skip = deploy({ workspaceRoot: ws.root, service: 'catalog', env: 'production', approvals: 'all' });
    await expect(skip).rejects.toThrow(PromotionOrderError);
    await expect(skip).rejects.toThrow(`preprod runs ${fixture.record.digest}`);
    expect(await imageIn('ci')).toContain(next.record.digest);
    expect(deployed('production')).toBe(false);
  });

  it('refuses a tampered artifact and writes nothing', async () => {
    await deploy({ workspaceRoot: ws.root, service: 'catalog', env: 'ci' });
    const before = await readFile(join(ws.root, 'deploy/ci/catalog/deployment.yaml'), 'utf8');
    const next = await publishFixtureArtifact(ws.root, 'catalog', 'v2');
    await corruptFile(blobPath(fixture.store.location, next.record.appLayer.digests[0]!), 100);

    const refused = deploy({ workspaceRoot: ws.root, service: 'catalog', approvals: 'all' });
    await expect(refused).rejects.toThrow(ArtifactRefusedError);
    await expect(refused).rejects.toThrow(
      new RegExp(`Deploy refused: catalog ${next.record.digest} failed verification`),
    );
    await expect(refused).rejects.toThrow(
      `is corrupt: ${blobPath(fixture.store.location, next.record.appLayer.digests[0]!)} hashes to`,
    );
    expect(await readFile(join(ws.root, 'deploy/ci/catalog/deployment.yaml'), 'utf8')).toBe(before);
    expect(await readdir(join(ws.root, 'deploy'))).toEqual(['ci']);
  });

  it('never builds: a missing record or an image the store does not hold stops the deploy', async () => {
    await rm(artifactRecordPath(ws.root, 'catalog'));
    await expect(deploy({ workspaceRoot: ws.root, service: 'catalog' })).rejects.toThrow(
      'dist/artifacts/catalog/artifact.json does not exist. The deploy never builds: run the artifact stage first (npx nx run catalog:artifact).',
    );

    const empty = await createDeployWorkspace(['catalog']);
    try {
      const { record } = await publishFixtureArtifact(ws.root, 'catalog'); // record written into ws, image into ws's store
      await mkdir(dirname(artifactRecordPath(empty.root, 'catalog')), { recursive: true });
      await writeFile(artifactRecordPath(empty.root, 'catalog'), JSON.stringify(record)); // empty.root has no store
      await expect(deploy({ workspaceRoot: empty.root, service: 'catalog', env: 'ci' })).rejects.toThrow(
        /failed verification.*is not in the artifact store/s,
      );
      expect(existsSync(join(empty.root, 'deploy'))).toBe(false);
    } finally {
      await empty.dispose();
    }
  });

  it('names unknown environments and services', async () => {
    await expect(deploy({ workspaceRoot: ws.root, service: 'catalog', env: 'staging' })).rejects.toThrow(
      DeployUsageError,
    );
    await expect(deploy({ workspaceRoot: ws.root, service: 'catalog', env: 'staging' })).rejects.toThrow(
      'Unknown environment "staging": use ci, preprod, production or all.',
    );
    await expect(deploy({ workspaceRoot: ws.root, service: 'payment', env: 'ci' })).rejects.toThrow(
      /services\/payment\/package\.json does not exist/,
    );
  });
});

describe('npm run deploy (the CLI)', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    execa(process.execPath, ['--import', 'tsx', join(HERE, 'cli.ts'), ...args], {
      cwd: HERE,
      reject: false,
      env: {
        DEPLOY_WORKSPACE_ROOT: ws.root,
        ARTIFACT_REGISTRY: '',
        ARTIFACT_STORE_DIR: '',
        DEPLOY_APPROVED: '',
        ...env,
      },
    });

  it('exits 3 for production without approval, 0 for all (noting the wait), and deploys production with DEPLOY_APPROVED', async () => {
    const refused = await cli(['catalog', '--env=production']);
    expect(refused.exitCode).toBe(3);
    expect(refused.stderr).toContain('production requires approval');
    expect(existsSync(join(ws.root, 'deploy'))).toBe(false);

    const all = await cli(['catalog']);
    expect(all.exitCode).toBe(0);
    expect(all.stdout).toContain('production: awaits approval, not rendered: re-run with --approve');
    expect(all.stdout).toContain('Commit deploy/ci/catalog, deploy/preprod/catalog');

    const approved = await cli(['catalog', '--env=production'], { DEPLOY_APPROVED: 'production' });
    expect(approved.exitCode, approved.stderr).toBe(0);
    expect(await imageIn('production')).toContain(fixture.record.digest);
  });

  it('exits 2 on bad arguments and 1 when the deploy is refused', async () => {
    expect((await cli([])).exitCode).toBe(2);
    expect((await cli(['catalog', '--env=staging'])).exitCode).toBe(2);
    await rm(artifactRecordPath(ws.root, 'catalog'));
    const refused = await cli(['catalog', '--env=ci']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('The deploy never builds');
  });
});
