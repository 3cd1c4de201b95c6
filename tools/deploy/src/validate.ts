/**
 * Offline checks of every rendered object before anything is written: the Kubernetes OpenAPI schema (via
 * kubernetes-models, no cluster needed) plus the rules the API server or this platform would enforce later — label
 * syntax, and images by digest only. A failure names the file and the field.
 */
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import type { Kustomization } from './manifests';

export interface RenderedObject {
  file: string;
  object: { apiVersion?: unknown; kind?: unknown; metadata?: { labels?: Record<string, string> } } & object;
}

export class ManifestValidationError extends Error {
  override name = 'ManifestValidationError';

  constructor(readonly problems: string[]) {
    super(`Rendered manifests are invalid, nothing was written:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/ConfigMap': ConfigMap,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const BY_DIGEST = /@sha256:[a-f0-9]{64}$/;

/** Throws ManifestValidationError listing every problem of every object. */
export function validateObjects(objects: RenderedObject[], kustomization: Kustomization): void {
  const problems: string[] = [];
  for (const { file, object } of objects) {
    const Model = MODELS[`${String(object.apiVersion)}/${String(object.kind)}`];
    if (!Model) {
      problems.push(`${file}: no schema for ${String(object.apiVersion)} ${String(object.kind)}`);
      continue;
    }
    try {
      new Model(structuredClone(object) as never).validate();
    } catch (error) {
      // ajv's message: "data/spec/replicas must be integer" → "spec.replicas must be integer"
      problems.push(`${file}: ${(error as Error).message.replace(/\bdata\//g, '').replace(/\//g, '.')}`);
    }
    for (const [key, value] of Object.entries(object.metadata?.labels ?? {})) {
      if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
        problems.push(`${file}: label ${key}=${JSON.stringify(value)} is not a valid label value`);
    }
    for (const image of containerImages(object)) {
      if (!BY_DIGEST.test(image)) problems.push(`${file}: image "${image}" is not pinned by digest (@sha256:…)`);
    }
  }
  const files = new Set(objects.map((entry) => entry.file));
  for (const resource of kustomization.resources) {
    if (!files.has(resource)) problems.push(`kustomization.yaml: lists ${resource}, which is not rendered`);
  }
  for (const file of files) {
    if (!kustomization.resources.includes(file)) problems.push(`kustomization.yaml: does not list ${file}`);
  }
  if (problems.length > 0) throw new ManifestValidationError(problems);
}

function containerImages(object: object): string[] {
  const spec = (object as { spec?: { template?: { spec?: { containers?: unknown; initContainers?: unknown } } } }).spec
    ?.template?.spec;
  const containers = [spec?.containers, spec?.initContainers].flatMap((list) => (Array.isArray(list) ? list : []));
  return containers.map((container) => String((container as { image?: unknown }).image));
}
