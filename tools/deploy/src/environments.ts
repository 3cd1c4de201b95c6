/**
 * Per-environment configuration: `platform/environments/<name>.json`, checked against environment.schema.json and a
 * few rules a schema cannot say. Kept outside the artifact so the same image runs everywhere (Building Microservices,
 * ch. 8); every file is checked before anything is deployed, so a broken production.json stops a ci deploy too.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { serviceUrlVariable } from '@musiccorp/core/consumers';
import {
  formatPath,
  lineFinder,
  parseJsonFile,
  validateSchema,
  type JsonPath,
  type RootSchema,
  type SchemaProblem,
} from '@musiccorp/core/json-schema';
import { READINESS_NOTICE_MS, READINESS_PROBE } from './manifests';

export const ENVIRONMENTS_DIR = 'platform/environments';
export const SCHEMA_FILE = 'environment.schema.json';

export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu?: string; memory: string };
}

export interface ServiceOverride {
  replicas?: number;
  env?: Record<string, string>;
  resources?: Resources;
}

export interface Environment {
  name: string;
  description?: string;
  order: number;
  namespace: string;
  replicas: number;
  approval: 'none' | 'required';
  registry: string;
  env: Record<string, string>;
  resources: Resources;
  services?: Record<string, ServiceOverride>;
}

/** What one service gets in one environment, overrides applied. */
export interface ServiceSettings {
  replicas: number;
  env: Record<string, string>;
  resources: Resources;
  shutdownTimeoutMs: number;
  drainDelayMs: number;
}

/** The chassis default (services/<name>/src/chassis/config.ts): a pod's grace period is derived from it. */
export const CHASSIS_SHUTDOWN_TIMEOUT_MS = 10_000;
/**
 * The chassis default too: above READINESS_NOTICE_MS (4 s), with a second for the endpoint removal to reach
 * kube-proxy and ingress, before the listener closes.
 */
export const DEFAULT_DRAIN_DELAY_MS = 5_000;

/** Set by the deploy itself, from the service's package.json and the pod spec: a file must not override them. */
const RESERVED_VARS: Record<string, string> = {
  PORT: "the deploy sets it to the service's package.json musiccorp.port, which the probes and the Service use",
  HOST: 'the pod must listen on all interfaces for its probes and its Service',
};
const SECRET_LIKE = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIALS?)($|_)/;

export interface EnvironmentProblem {
  /** Relative to the workspace, e.g. platform/environments/ci.json. */
  file: string;
  line: number | null;
  field: string;
  message: string;
  fix: string;
}

export class EnvironmentConfigError extends Error {
  override name = 'EnvironmentConfigError';

  constructor(readonly problems: EnvironmentProblem[]) {
    super(
      problems
        .map(
          (p) =>
            `${p.file}${p.line ? `:${p.line}` : ''}: ${p.field ? `"${p.field}" ` : ''}${p.message}. Fix: ${p.fix}.`,
        )
        .join('\n'),
    );
  }
}

export function environmentFile(name: string): string {
  return `${ENVIRONMENTS_DIR}/${name}.json`;
}

async function readSchema(workspaceRoot: string): Promise<RootSchema> {
  return JSON.parse(await readFile(join(workspaceRoot, ENVIRONMENTS_DIR, SCHEMA_FILE), 'utf8')) as RootSchema;
}

/** Loads and checks one file; throws EnvironmentConfigError naming file, line, field and fix. */
export async function loadEnvironment(workspaceRoot: string, name: string, schema?: RootSchema): Promise<Environment> {
  const file = environmentFile(name);
  let text: string;
  try {
    text = await readFile(join(workspaceRoot, file), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const known = (await listEnvironmentNames(workspaceRoot)).join(', ') || 'none';
    throw new EnvironmentConfigError([
      { file, line: null, field: '', message: 'does not exist', fix: `use one of the environments: ${known}` },
    ]);
  }
  const parsed = await parseJsonFile(text, file);
  if ('problem' in parsed) throw new EnvironmentConfigError([{ ...parsed.problem, field: '' }]);
  const { value } = parsed;
  const found = validateSchema(value, schema ?? (await readSchema(workspaceRoot)));
  if (found.length === 0) found.push(...semanticProblems(workspaceRoot, name, value as Environment));
  if (found.length > 0) {
    const lineOf = await lineFinder(text);
    throw new EnvironmentConfigError(
      found.map((problem) => ({ file, line: lineOf(problem.path), field: fieldName(problem.path), ...pick(problem) })),
    );
  }
  return value as Environment;
}

/** Every environment, in promotion order; all files are checked and every problem is reported at once. */
export async function loadEnvironments(workspaceRoot: string): Promise<Environment[]> {
  const schema = await readSchema(workspaceRoot);
  const environments: Environment[] = [];
  const problems: EnvironmentProblem[] = [];
  for (const name of await listEnvironmentNames(workspaceRoot)) {
    try {
      environments.push(await loadEnvironment(workspaceRoot, name, schema));
    } catch (error) {
      if (!(error instanceof EnvironmentConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  const byOrder = new Map<number, string>();
  for (const environment of environments) {
    const other = byOrder.get(environment.order);
    if (other !== undefined)
      problems.push({
        file: environmentFile(environment.name),
        line: null,
        field: 'order',
        message: `is ${environment.order}, the same as ${environmentFile(other)}`,
        fix: 'give every environment its own position in the promotion path',
      });
    byOrder.set(environment.order, environment.name);
  }
  if (environments.length === 0 && problems.length === 0)
    problems.push({
      file: ENVIRONMENTS_DIR,
      line: null,
      field: '',
      message: 'holds no environment',
      fix: 'add ci.json',
    });
  if (problems.length > 0) throw new EnvironmentConfigError(problems);
  return environments.sort((a, b) => a.order - b.order);
}

export async function listEnvironmentNames(workspaceRoot: string): Promise<string[]> {
  const entries = await readdir(join(workspaceRoot, ENVIRONMENTS_DIR)).catch(() => [] as string[]);
  return entries
    .filter((entry) => entry.endsWith('.json') && entry !== SCHEMA_FILE)
    .map((entry) => basename(entry, '.json'))
    .sort();
}

/** The service's settings in this environment: its override on top of the environment's, plus platform defaults. */
/**
 * What a service runs with in an environment: the environment's settings under its own override, and the URL of each
 * service it calls (`calls`, from its consumes.json) — the Kubernetes Service of that name in the same namespace.
 */
export function settingsFor(environment: Environment, service: string, calls: readonly string[] = []): ServiceSettings {
  const override = environment.services?.[service] ?? {};
  const env = {
    SHUTDOWN_TIMEOUT_MS: String(CHASSIS_SHUTDOWN_TIMEOUT_MS),
    SHUTDOWN_DRAIN_DELAY_MS: String(DEFAULT_DRAIN_DELAY_MS),
    ...Object.fromEntries(
      calls.map((callee) => [
        serviceUrlVariable(callee),
        `http://${callee}.${environment.namespace}.svc.cluster.local`,
      ]),
    ),
    ...environment.env,
    ...override.env,
  };
  return {
    replicas: override.replicas ?? environment.replicas,
    env,
    resources: override.resources ?? environment.resources,
    shutdownTimeoutMs: Number(env.SHUTDOWN_TIMEOUT_MS),
    drainDelayMs: Number(env.SHUTDOWN_DRAIN_DELAY_MS),
  };
}

/** Rules across fields and files, checked once the shape is right. */
function semanticProblems(workspaceRoot: string, name: string, environment: Environment): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (environment.name !== name)
    problems.push({
      path: ['name'],
      message: `is "${environment.name}" in ${name}.json`,
      fix: `write "${name}" (the file name)`,
    });
  const envBlocks: [JsonPath, Record<string, string>][] = [[['env'], environment.env]];
  for (const [service, override] of Object.entries(environment.services ?? {})) {
    if (!existsSync(join(workspaceRoot, 'services', service, 'package.json')))
      problems.push({
        path: ['services', service],
        message: `names no service (services/${service}/package.json does not exist)`,
        fix: 'correct the service name or remove the override',
      });
    if (!override.env) continue;
    envBlocks.push([['services', service, 'env'], override.env]);
    const settings = settingsFor(environment, service);
    const overridesShutdown = 'SHUTDOWN_TIMEOUT_MS' in override.env || 'SHUTDOWN_DRAIN_DELAY_MS' in override.env;
    if (overridesShutdown) problems.push(...drainProblems(['services', service, 'env'], settings));
  }
  for (const [path, env] of envBlocks) {
    for (const variable of Object.keys(env)) {
      const reserved = RESERVED_VARS[variable];
      if (reserved)
        problems.push({ path: [...path, variable], message: 'is set by the deploy', fix: `remove it: ${reserved}` });
      else if (SECRET_LIKE.test(variable))
        problems.push({
          path: [...path, variable],
          message: 'looks like a secret, and this file is in git in plain text',
          fix: 'remove it and give the service a Kubernetes Secret (sealed or external secrets) instead',
        });
    }
  }
  problems.push(...drainProblems(['env'], settingsFor({ ...environment, services: {} }, '')));
  return problems;
}

/**
 * The chassis refuses to start when the drain delay is not below the shutdown timeout; one shorter than the readiness
 * probe takes to notice the 503 closes the listener while the endpoint still sends traffic. Caught before deploying.
 */
function drainProblems(path: JsonPath, settings: ServiceSettings): SchemaProblem[] {
  const field = [...path, 'SHUTDOWN_DRAIN_DELAY_MS'];
  const problems: SchemaProblem[] = [];
  if (settings.drainDelayMs >= settings.shutdownTimeoutMs)
    problems.push({
      path: field,
      message: `(${settings.drainDelayMs}) is not below SHUTDOWN_TIMEOUT_MS (${settings.shutdownTimeoutMs}), so the service would refuse to start`,
      fix: 'lower SHUTDOWN_DRAIN_DELAY_MS or raise SHUTDOWN_TIMEOUT_MS; the shutdown timeout includes the drain delay',
    });
  if (settings.drainDelayMs < READINESS_NOTICE_MS)
    problems.push({
      path: field,
      message: `(${settings.drainDelayMs}) is shorter than the ${READINESS_NOTICE_MS} ms the readiness probe takes to notice the 503 (periodSeconds ${READINESS_PROBE.periodSeconds} × failureThreshold ${READINESS_PROBE.failureThreshold}), so the listener would close while the endpoint still routes requests here`,
      fix: `raise SHUTDOWN_DRAIN_DELAY_MS to at least ${READINESS_NOTICE_MS} (the default is ${DEFAULT_DRAIN_DELAY_MS})`,
    });
  return problems;
}

function fieldName(path: JsonPath): string {
  return path.length > 0 ? formatPath(path) : '';
}

function pick({ message, fix }: SchemaProblem): { message: string; fix: string } {
  return { message, fix };
}
