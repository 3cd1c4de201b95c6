/**
 * The Kubernetes objects for one service in one environment, as plain data (no I/O): a pure function of the
 * artifact (digest, git sha), the service's package.json and the environment file, so the same inputs always give the
 * same objects and `git diff deploy/` shows only real changes.
 */
import { createHash } from 'node:crypto';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IService } from 'kubernetes-models/v1/Service';
import type { Environment, ServiceSettings } from './environments';
import type { ServiceInfo } from './service-info';

export const ANNOTATIONS = {
  digest: 'io.musiccorp/artifact-digest',
  gitSha: 'io.musiccorp/git-sha',
} as const;

/** The image's user (Dockerfile `USER 1000:1000`): stated again so the kubelet refuses to run anything as root. */
const RUN_AS = 1000;
/**
 * Time beyond the chassis's own deadline: for its last log flush (LOG_FLUSH_TIMEOUT_MS, which the chassis keeps at
 * or below 5 s), or for the kubelet to SIGKILL a wedged process.
 */
const GRACE_MARGIN_SECONDS = 5;
/**
 * Readiness is probed every 2 s and a pod is unready after 2 failures: the chassis's 503 from SIGTERM on takes it out
 * of the endpoints within READINESS_NOTICE_MS, which the drain delay must outlast (environments.ts refuses less).
 */
export const READINESS_PROBE = { periodSeconds: 2, failureThreshold: 2 } as const;
export const READINESS_NOTICE_MS = READINESS_PROBE.periodSeconds * READINESS_PROBE.failureThreshold * 1000;

export interface Kustomization {
  apiVersion: 'kustomize.config.k8s.io/v1beta1';
  kind: 'Kustomization';
  namespace: string;
  resources: string[];
}

export interface ManifestSet {
  configMap: IConfigMap;
  deployment: IDeployment;
  service: IService;
  /** Only with 2+ replicas: with one, a budget of zero unavailable pods would block every node drain. */
  podDisruptionBudget?: IPodDisruptionBudget;
}

export interface ManifestInput {
  service: ServiceInfo;
  environment: Environment;
  settings: ServiceSettings;
  artifact: { digest: string; gitSha: string };
}

/** `<registry>/<service>@sha256:…`: the image by digest, never by tag, so every environment runs the same bytes. */
export function imageReference(registry: string, service: string, digest: string): string {
  return `${registry}/${service}@${digest}`;
}

/**
 * Above the longest the chassis takes from SIGTERM to exit (its shutdown deadline, which already counts the drain
 * delay, plus its last log flush): the deadline plus the drain delay again plus a margin, so the kubelet's SIGKILL
 * never cuts a graceful shutdown short.
 */
export function gracePeriodSeconds(settings: ServiceSettings): number {
  return Math.ceil((settings.shutdownTimeoutMs + settings.drainDelayMs) / 1000) + GRACE_MARGIN_SECONDS;
}

/** kustomize-style: the ConfigMap's name carries a hash of its content, so a config change rolls the pods. */
export function configMapName(service: string, data: Record<string, string>): string {
  const hash = createHash('sha256')
    .update(JSON.stringify(sortedEntries(data)))
    .digest('hex')
    .slice(0, 10);
  return `${service}-env-${hash}`;
}

export function buildManifests({ service, environment, settings, artifact }: ManifestInput): ManifestSet {
  const name = service.service;
  const namespace = environment.namespace;
  const selector = { 'app.kubernetes.io/name': name }; // immutable in a Deployment: never the version
  const labels = {
    ...selector,
    'app.kubernetes.io/part-of': 'musiccorp',
    'app.kubernetes.io/version': artifact.gitSha,
    'io.musiccorp/team': service.team,
    'io.musiccorp/environment': environment.name,
  };
  const annotations = { [ANNOTATIONS.digest]: artifact.digest, [ANNOTATIONS.gitSha]: artifact.gitSha };
  const data = Object.fromEntries(sortedEntries(settings.env));
  const configName = configMapName(name, data);
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold,
  });

  const configMap: IConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configName, namespace, labels },
    // Never edited in place: a change is a new name, so a pod always sees the config its name promises.
    immutable: true,
    data,
  };

  const deployment: IDeployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels, annotations },
    spec: {
      replicas: settings.replicas,
      selector: { matchLabels: selector },
      // Zero downtime: a new pod must be ready before an old one goes.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, annotations },
        spec: {
          terminationGracePeriodSeconds: gracePeriodSeconds(settings),
          automountServiceAccountToken: false, // services never call the Kubernetes API
          enableServiceLinks: false, // no injected <SERVICE>_PORT variables next to our configuration
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            runAsGroup: RUN_AS,
            fsGroup: RUN_AS,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          ...(settings.replicas > 1
            ? {
                // Spread over nodes so one node's loss never takes every pod; ScheduleAnyway never blocks a rollout.
                topologySpreadConstraints: [
                  {
                    maxSkew: 1,
                    topologyKey: 'kubernetes.io/hostname',
                    whenUnsatisfiable: 'ScheduleAnyway',
                    labelSelector: { matchLabels: selector },
                  },
                ],
              }
            : {}),
          containers: [
            {
              name,
              image: imageReference(environment.registry, name, artifact.digest),
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: service.port, protocol: 'TCP' }],
              env: [{ name: 'PORT', value: String(service.port) }],
              envFrom: [{ configMapRef: { name: configName } }],
              resources: settings.resources,
              // The chassis answers 503 on /health/ready from SIGTERM on, and keeps serving for the drain delay.
              startupProbe: probe('/health/live', 2, 30),
              readinessProbe: probe('/health/ready', READINESS_PROBE.periodSeconds, READINESS_PROBE.failureThreshold),
              livenessProbe: probe('/health/live', 10, 3),
              securityContext: {
                runAsNonRoot: true,
                runAsUser: RUN_AS,
                runAsGroup: RUN_AS,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          // The root file system is read-only; /tmp is the one writable place.
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };

  const serviceObject: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels },
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };

  const podDisruptionBudget: IPodDisruptionBudget | undefined =
    settings.replicas > 1
      ? {
          apiVersion: 'policy/v1',
          kind: 'PodDisruptionBudget',
          metadata: { name, namespace, labels },
          spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }
      : undefined;

  return { configMap, deployment, service: serviceObject, ...(podDisruptionBudget ? { podDisruptionBudget } : {}) };
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
