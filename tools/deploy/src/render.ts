/**
 * Renders `deploy/<environment>/<service>/` — the GitOps desired state Flux or Argo CD applies — all or nothing:
 * every object is built in memory, validated offline, serialized deterministically, and only then swapped into place.
 * The caller (deploy.ts) has verified the artifact; this module does no image I/O.
 */
import { join } from 'node:path';
import type { ArtifactRecord } from '@musiccorp/artifact/build-artifact';
import { formatConsumesProblems, loadConsumers } from '@musiccorp/core/consumers';
import { checkRecord } from './artifact';
import { replaceDirectory, type DirectoryChange } from './directory';
import { loadEnvironment, settingsFor, type Environment } from './environments';
import { buildManifests, configMapName, imageReference, type Kustomization, type ManifestSet } from './manifests';
import { readServiceInfo } from './service-info';
import { validateObjects, type RenderedObject } from './validate';
import { toYaml } from './yaml-output';

export const DEPLOY_DIR = 'deploy';

export interface RenderOptions {
  workspaceRoot: string;
  service: string;
  /** A name (its file is loaded and checked) or an environment loaded already. */
  environment: string | Environment;
  artifact: Pick<ArtifactRecord, 'service' | 'digest' | 'gitSha'>;
  /** Test seam: change the built objects before validation, e.g. to prove a broken manifest writes nothing. */
  beforeValidate?: (objects: ManifestSet) => void;
}

export interface RenderResult {
  environment: string;
  /** Relative to the workspace: deploy/<environment>/<service>. */
  dir: string;
  files: string[];
  change: DirectoryChange;
  image: string;
  replicas: number;
  configMap: string;
}

const FILES: Record<keyof ManifestSet, string> = {
  configMap: 'configmap.yaml',
  deployment: 'deployment.yaml',
  service: 'service.yaml',
  podDisruptionBudget: 'poddisruptionbudget.yaml',
};

export function deployDir(environment: string, service: string): string {
  return `${DEPLOY_DIR}/${environment}/${service}`;
}

export async function renderDeployment(options: RenderOptions): Promise<RenderResult> {
  const { workspaceRoot, service } = options;
  checkRecord(options.artifact, service);
  const environment =
    typeof options.environment === 'string'
      ? await loadEnvironment(workspaceRoot, options.environment)
      : options.environment;
  const consumers = await loadConsumers(workspaceRoot);
  if (consumers.problems.length > 0) throw new Error(formatConsumesProblems(consumers.problems));
  const settings = settingsFor(environment, service, consumers.index.of(service).http);
  const objects = buildManifests({
    service: await readServiceInfo(workspaceRoot, service),
    environment,
    settings,
    artifact: options.artifact,
  });
  options.beforeValidate?.(objects);

  const rendered: RenderedObject[] = (Object.keys(FILES) as (keyof ManifestSet)[]).flatMap((key) => {
    const object = objects[key];
    return object ? [{ file: FILES[key], object }] : [];
  });
  const kustomization: Kustomization = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: environment.namespace,
    resources: rendered.map((entry) => entry.file).sort(),
  };
  validateObjects(rendered, kustomization);

  const dir = deployDir(environment.name, service);
  const header = [
    `Desired state of ${service} in ${environment.name}, applied by GitOps. Do not edit: change`,
    `platform/environments/${environment.name}.json or the service, then run: npm run deploy -- ${service} --env=${environment.name}`,
  ];
  const files = new Map<string, string>();
  for (const { file, object } of rendered) files.set(file, toYaml(object, header));
  files.set('kustomization.yaml', toYaml(kustomization, header));

  const change = await replaceDirectory(join(workspaceRoot, dir), files);
  return {
    environment: environment.name,
    dir,
    files: [...files.keys()].sort(),
    change,
    image: imageReference(environment.registry, service, options.artifact.digest),
    replicas: settings.replicas,
    configMap: configMapName(service, settings.env),
  };
}
