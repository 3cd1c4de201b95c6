/**
 * The deploy stage: promote ONE verified artifact through the environments in order (ci → preprod → production),
 * rendering each environment's desired state into deploy/. It never builds, and it records nothing but the manifests:
 * applying them is Flux's or Argo CD's job once they are committed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ArtifactStore } from '@musiccorp/artifact/store';
import type { ArtifactRecord } from '@musiccorp/artifact/build-artifact';
import { readRecord, storeFor, verifyArtifact } from './artifact';
import { loadEnvironments, type Environment } from './environments';
import { ANNOTATIONS } from './manifests';
import { deployDir, renderDeployment, type RenderResult } from './render';
import { readServiceInfo } from './service-info';

export class DeployUsageError extends Error {
  override name = 'DeployUsageError';
}

/** An environment needs a person's approval that this run does not have. */
export class ApprovalRequiredError extends Error {
  override name = 'ApprovalRequiredError';
}

/** The artifact has not been through the environment before this one. */
export class PromotionOrderError extends Error {
  override name = 'PromotionOrderError';
}

export interface DeployOptions {
  workspaceRoot: string;
  service: string;
  /** One environment's name, or 'all' (default): every environment in order. */
  env?: string;
  /** Environments a person approved for this run (DEPLOY_APPROVED=production), or 'all' (--approve). */
  approvals?: ReadonlySet<string> | 'all';
  /** Default: the store the artifact record names. */
  store?: ArtifactStore;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface DeployOutcome {
  artifact: ArtifactRecord;
  rendered: RenderResult[];
  /** With env 'all': the first environment that waits for approval; nothing from it on was rendered. */
  awaitingApproval?: string;
}

export function approvalHint(service: string, environment: string): string {
  return `re-run with --approve (npm run deploy -- ${service} --env=${environment} --approve) or DEPLOY_APPROVED=${environment}; in GitHub Actions the environment's required reviewers approve the job`;
}

export async function deploy(options: DeployOptions): Promise<DeployOutcome> {
  const { workspaceRoot, service } = options;
  const log = options.log ?? (() => undefined);
  const approvals = options.approvals ?? new Set<string>();
  const environments = await loadEnvironments(workspaceRoot);

  let targets = selectTargets(environments, options.env ?? 'all');
  let awaitingApproval: string | undefined;
  const approved = (env: Environment) => approvals === 'all' || approvals.has(env.name);
  const blocked = targets.findIndex((env) => env.approval === 'required' && !approved(env));
  const waiting = targets[blocked]?.name;
  if (waiting !== undefined) {
    if (options.env !== undefined && options.env !== 'all')
      throw new ApprovalRequiredError(
        `${waiting} requires approval, and this run has none: ${approvalHint(service, waiting)}.`,
      );
    awaitingApproval = waiting;
    targets = targets.slice(0, blocked);
  }

  await readServiceInfo(workspaceRoot, service); // a wrong name fails here, before anything else is read
  const artifact = await readRecord(workspaceRoot, service);
  const first = targets[0];
  if (first) await checkPromotionOrder(workspaceRoot, environments, first, artifact);

  const store = options.store ?? storeFor(artifact, workspaceRoot);
  await verifyArtifact(artifact, store);
  log(`${service} ${artifact.digest} (git ${artifact.gitSha.slice(0, 12)}) verified in the ${store.describe()}`);

  const rendered: RenderResult[] = [];
  for (const environment of targets) {
    const result = await renderDeployment({ workspaceRoot, service, environment, artifact });
    rendered.push(result);
    log(
      `${environment.name}: ${result.dir} ${result.change} (${result.replicas} replica${result.replicas > 1 ? 's' : ''}, ${result.configMap})`,
    );
  }
  return { artifact, rendered, ...(awaitingApproval ? { awaitingApproval } : {}) };
}

function selectTargets(environments: Environment[], env: string): Environment[] {
  if (env === 'all') return environments;
  const found = environments.find((candidate) => candidate.name === env);
  if (!found)
    throw new DeployUsageError(
      `Unknown environment "${env}": use ${environments.map((e) => e.name).join(', ')} or all.`,
    );
  return [found];
}

/**
 * Environments go in order: deploying to one needs the environment before it to hold this very digest in deploy/
 * (rendered earlier in this run, or committed by an earlier stage). Rolling back is `git revert`, not this tool.
 */
async function checkPromotionOrder(
  workspaceRoot: string,
  environments: Environment[],
  target: Environment,
  artifact: ArtifactRecord,
): Promise<void> {
  const previous = environments.filter((env) => env.order < target.order).at(-1);
  if (!previous) return;
  const file = `${deployDir(previous.name, artifact.service)}/deployment.yaml`;
  const current = await readFile(join(workspaceRoot, file), 'utf8')
    .then((text) => (parse(text) as { metadata?: { annotations?: Record<string, string> } }).metadata?.annotations)
    .then((annotations) => annotations?.[ANNOTATIONS.digest])
    .catch(() => undefined);
  if (current === artifact.digest) return;
  throw new PromotionOrderError(
    `Refusing to deploy ${artifact.service} ${artifact.digest} to ${target.name}: ${previous.name} ${current ? `runs ${current}` : 'has no deployment of it'} (${file}). ` +
      `Environments go in order (${environments.map((e) => e.name).join(' → ')}): deploy it to ${previous.name} first (npm run deploy -- ${artifact.service} --env=${previous.name}).`,
  );
}
