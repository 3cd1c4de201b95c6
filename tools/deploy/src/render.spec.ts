/**
 * renderDeployment on the real environment files and catalog's real package.json, in a scratch workspace: what the
 * manifests say, that they are valid Kubernetes objects, byte-for-byte determinism, and all-or-nothing writes.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadEnvironment, type Environment } from './environments';
import { renderDeployment, type RenderOptions } from './render';
import { createDeployWorkspace, FIXTURE_GIT_SHA, type DeployWorkspace } from './testing/workspace';
import { ManifestValidationError } from './validate';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const artifact = { service: 'catalog', gitSha: FIXTURE_GIT_SHA, digest: DIGEST };

let ws: DeployWorkspace;
beforeEach(async () => {
  ws = await createDeployWorkspace(['catalog']);
});
afterEach(async () => ws.dispose());

const render = (environment: RenderOptions['environment'], extra: Partial<RenderOptions> = {}) =>
  renderDeployment({ workspaceRoot: ws.root, service: 'catalog', environment, artifact, ...extra });

async function readYaml<T>(env: string, file: string): Promise<T> {
  return parse(await readFile(join(ws.root, 'deploy', env, 'catalog', file), 'utf8')) as T;
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = await readFile(join(dir, name), 'utf8');
  return out;
}

async function withOverride(name: string, override: Environment['services']): Promise<Environment> {
  return { ...(await loadEnvironment(ws.root, name)), services: override };
}

describe('renderDeployment', () => {
  it('renders ci: the image by digest, probes, hardening, zero-downtime rollout, config from the environment', async () => {
    const result = await render('ci');
    expect(result).toMatchObject({ environment: 'ci', dir: 'deploy/ci/catalog', change: 'created', replicas: 1 });
    expect(result.files).toEqual(['configmap.yaml', 'deployment.yaml', 'kustomization.yaml', 'service.yaml']);

    const deployment = await readYaml<IDeployment>('ci', 'deployment.yaml');
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    expect(container.image).toBe(`registry.musiccorp.example/musiccorp/catalog@${DIGEST}`);
    expect(container.image!.split('@')[0]!.split('/').at(-1)).toBe('catalog'); // no tag beside the digest
    expect(deployment.spec!.replicas).toBe(1);
    expect(deployment.spec!.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    expect(deployment.spec!.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'catalog' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 3100, protocol: 'TCP' }]); // services/catalog/package.json
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/health/live', port: 'http' });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
    expect(container.resources).toEqual({ requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } });
    expect(deployment.metadata!.labels).toEqual({
      'app.kubernetes.io/name': 'catalog',
      'app.kubernetes.io/part-of': 'musiccorp',
      'app.kubernetes.io/version': FIXTURE_GIT_SHA,
      'io.musiccorp/team': 'catalog',
      'io.musiccorp/environment': 'ci',
    });
    const annotations = { 'io.musiccorp/artifact-digest': DIGEST, 'io.musiccorp/git-sha': FIXTURE_GIT_SHA };
    expect(deployment.metadata!.annotations).toEqual(annotations);
    expect(deployment.spec!.template.metadata!.annotations).toEqual(annotations);

    // Grace period above the chassis's shutdown timeout plus the drain delay, both stated in the ConfigMap.
    const configMap = await readYaml<IConfigMap>('ci', 'configmap.yaml');
    expect(configMap.data).toEqual({
      BROKER_URL: 'nats://nats.musiccorp-ci.svc.cluster.local:4222',
      LOG_LEVEL: 'debug',
      SHUTDOWN_TIMEOUT_MS: '10000',
      SHUTDOWN_DRAIN_DELAY_MS: '5000',
    });
    expect(pod.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(10_000 + 5_000);
    // The drain delay outlasts the readiness probe's notice of the 503, so endpoints are gone before the listener closes.
    const readiness = container.readinessProbe!;
    expect(readiness.periodSeconds! * readiness.failureThreshold! * 1000).toBeLessThanOrEqual(5_000);
    expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata!.name } }]);
    expect(configMap.metadata!.name).toMatch(/^catalog-env-[0-9a-f]{10}$/);
    expect(configMap.immutable).toBe(true);
    expect(container.env).toEqual([{ name: 'PORT', value: '3100' }]);

    const service = await readYaml<IService>('ci', 'service.yaml');
    expect(service.spec).toMatchObject({ type: 'ClusterIP', selector: { 'app.kubernetes.io/name': 'catalog' } });
    expect(service.spec!.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(await readYaml('ci', 'kustomization.yaml')).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: 'musiccorp-ci',
      resources: ['configmap.yaml', 'deployment.yaml', 'service.yaml'],
    });
  });

  it('gives 1, 2 and 4 replicas and debug, info, info logs in ci, preprod and production — same image everywhere', async () => {
    const seen: [number, string, string][] = [];
    for (const env of ['ci', 'preprod', 'production']) {
      const result = await render(env);
      const deployment = await readYaml<IDeployment>(env, 'deployment.yaml');
      const configMap = await readYaml<IConfigMap>(env, 'configmap.yaml');
      seen.push([deployment.spec!.replicas!, configMap.data!['LOG_LEVEL']!, result.image]);
      expect(deployment.metadata!.namespace).toBe(`musiccorp-${env}`);
    }
    const image = `registry.musiccorp.example/musiccorp/catalog@${DIGEST}`;
    expect(seen).toEqual([
      [1, 'debug', image],
      [2, 'info', image],
      [4, 'info', image],
    ]);
    // Several pods: a disruption budget keeps all but one through node drains.
    expect(existsSync(join(ws.root, 'deploy/ci/catalog/poddisruptionbudget.yaml'))).toBe(false);
    expect(await readYaml('production', 'poddisruptionbudget.yaml')).toMatchObject({ spec: { maxUnavailable: 1 } });
  });

  it("puts the URL of each service it calls (its consumes.json) into its ConfigMap, in the environment's namespace", async () => {
    await ws.dispose();
    ws = await createDeployWorkspace(['catalog', 'payment']);
    await writeFile(join(ws.root, 'services/catalog/consumes.json'), '{ "http": ["payment"], "events": [] }\n');
    await render('preprod');
    const configMap = await readYaml<IConfigMap>('preprod', 'configmap.yaml');
    expect(configMap.data).toMatchObject({ PAYMENT_URL: 'http://payment.musiccorp-preprod.svc.cluster.local' });

    await writeFile(join(ws.root, 'services/catalog/consumes.json'), '{ "http": ["nosuch"], "events": [] }\n');
    await expect(render('preprod')).rejects.toThrow(/services\/catalog\/consumes\.json.*nosuch/s);
  });

  it('writes files that read back as valid Kubernetes objects', async () => {
    await render('production');
    const files = await snapshot(join(ws.root, 'deploy/production/catalog'));
    const models = {
      'deployment.yaml': Deployment,
      'service.yaml': Service,
      'configmap.yaml': ConfigMap,
      'poddisruptionbudget.yaml': PodDisruptionBudget,
    } as const;
    for (const [file, Model] of Object.entries(models)) {
      expect(() => new Model(parse(files[file]!) as never).validate(), file).not.toThrow();
    }
  });

  it('is deterministic: the same inputs give the same bytes, and re-rendering changes nothing', async () => {
    await render('production');
    const first = await snapshot(join(ws.root, 'deploy/production/catalog'));
    const other = await createDeployWorkspace(['catalog']);
    try {
      await renderDeployment({ workspaceRoot: other.root, service: 'catalog', environment: 'production', artifact });
      expect(await snapshot(join(other.root, 'deploy/production/catalog'))).toEqual(first);
    } finally {
      await other.dispose();
    }
    expect((await render('production')).change).toBe('unchanged');
    expect(Object.values(first).join('')).not.toMatch(/\d{4}-\d{2}-\d{2}T|\btimestamp\b/i);
    expect(Object.values(first).join('')).not.toMatch(/[&*]a\d/); // no YAML anchors or aliases
  });

  it('renames the ConfigMap when the configuration changes, so the pods roll', async () => {
    const before = await render('ci');
    const changed = await render(await withOverride('ci', { catalog: { env: { LOG_LEVEL: 'trace' } } }));
    expect(changed.change).toBe('updated');
    expect(changed.configMap).not.toBe(before.configMap);
    const deployment = await readYaml<IDeployment>('ci', 'deployment.yaml');
    expect(deployment.spec!.template.spec!.containers[0]!.envFrom![0]!.configMapRef!.name).toBe(changed.configMap);
    expect((await render('ci')).configMap).toBe(before.configMap); // content-addressed: back to the same name
  });

  it('keeps the grace period above a longer shutdown timeout', async () => {
    const env = await withOverride('production', {
      catalog: { env: { SHUTDOWN_TIMEOUT_MS: '30000', SHUTDOWN_DRAIN_DELAY_MS: '8000' } },
    });
    await render(env);
    const deployment = await readYaml<IDeployment>('production', 'deployment.yaml');
    expect(deployment.spec!.template.spec!.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(30_000 + 8_000);
  });

  it('removes files that are no longer rendered (replicas 4 → 1 drops the disruption budget)', async () => {
    await render('production');
    expect(existsSync(join(ws.root, 'deploy/production/catalog/poddisruptionbudget.yaml'))).toBe(true);
    await render(await withOverride('production', { catalog: { replicas: 1 } }));
    expect((await readdir(join(ws.root, 'deploy/production/catalog'))).sort()).toEqual([
      'configmap.yaml',
      'deployment.yaml',
      'kustomization.yaml',
      'service.yaml',
    ]);
    expect((await readYaml<{ resources: string[] }>('production', 'kustomization.yaml')).resources).not.toContain(
      'poddisruptionbudget.yaml',
    );
  });

  it('quotes values YAML 1.1 tools would read as booleans or numbers', async () => {
    await render(await withOverride('ci', { catalog: { env: { FEATURE_FLAG: 'on', MODE: '0755' } } }));
    const text = await readFile(join(ws.root, 'deploy/ci/catalog/configmap.yaml'), 'utf8');
    expect(text).toContain('FEATURE_FLAG: "on"');
    expect(text).toContain('MODE: "0755"');
  });

  it('writes nothing when kubernetes-models rejects a manifest, and leaves the previous state intact', async () => {
    await render('ci');
    const before = await snapshot(join(ws.root, 'deploy/ci/catalog'));
    const broken = render(await withOverride('ci', { catalog: { replicas: 1, env: { LOG_LEVEL: 'warn' } } }), {
      beforeValidate: (objects) => {
        (objects.deployment.spec!.template.spec!.containers[0]!.ports![0] as { containerPort: unknown }).containerPort =
          'http';
      },
    });
    await expect(broken).rejects.toThrow(ManifestValidationError);
    await expect(broken).rejects.toThrow(
      /deployment\.yaml: spec\.template\.spec\.containers\.0\.ports\.0\.containerPort must be integer/,
    );
    expect(await snapshot(join(ws.root, 'deploy/ci/catalog'))).toEqual(before);
    expect(await readdir(join(ws.root, 'deploy/ci'))).toEqual(['catalog']); // no staging left behind

    await expect(
      render('preprod', {
        beforeValidate: (o) => void ((o.service.spec!.ports![0] as { port: unknown }).port = 'eighty'),
      }),
    ).rejects.toThrow(/service\.yaml/);
    expect(existsSync(join(ws.root, 'deploy/preprod'))).toBe(false);
  });

  it('refuses an image that is not pinned by digest', async () => {
    const tagged = render('ci', {
      beforeValidate: (objects) => {
        objects.deployment.spec!.template.spec!.containers[0]!.image =
          'registry.musiccorp.example/musiccorp/catalog:latest';
      },
    });
    await expect(tagged).rejects.toThrow(/image ".*catalog:latest" is not pinned by digest/);
    await expect(render('ci', { artifact: { ...artifact, digest: 'latest' } })).rejects.toThrow(
      /"digest" is not sha256/,
    );
    expect(existsSync(join(ws.root, 'deploy'))).toBe(false);
  });

  it('refuses an invalid environment file with a message naming file, field and fix, writing nothing', async () => {
    const file = join(ws.root, 'platform/environments/ci.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"replicas": 1', '"replicas": -1'));
    await expect(render('ci')).rejects.toThrow(
      /platform\/environments\/ci\.json:\d+: "replicas" must be an integer from 1 to 50 \(got -1\)\. Fix: /,
    );
    expect(existsSync(join(ws.root, 'deploy'))).toBe(false);
  });
});
