/**
 * A service's pipeline file, `services/<service>/pipeline.json` (team-owned): what each stage does with the artifact.
 * Only the parts the stages read are typed and checked here; a wrong value fails the stage with the field's path.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The pipeline's stages in order; each is an Nx target of the service (`test` = the lint, typecheck and test targets). */
export const STAGES = ['test', 'artifact', 'slow-test', 'perf', 'deploy'] as const;
export type StageName = (typeof STAGES)[number];

/**
 * The Nx targets that make up each stage (`build` is the artifact's bundle step; `drift` checks that the platform-owned
 * files are as the service's recorded template commit rendered them; `contract` that the committed contract is what
 * the code declares and breaks nothing without a new major version, against CONTRACT_BASE).
 */
export const STAGE_TARGETS: Record<StageName, readonly string[]> = {
  test: ['lint', 'typecheck', 'test', 'drift', 'contract'],
  artifact: ['build', 'artifact'],
  'slow-test': ['slow-test'],
  perf: ['perf'],
  deploy: ['deploy'],
};

export function stageOfTarget(target: string): StageName | undefined {
  return STAGES.find((stage) => STAGE_TARGETS[stage].includes(target));
}

export interface SampleRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

export interface PerfThresholds {
  durationSeconds: number;
  connections: number;
  minRequestsPerSecond: number;
  maxP99Ms: number;
  /** Share of requests that failed or answered non-2xx, 0–1. */
  maxErrorRate: number;
}

export interface PipelineFile {
  service: string;
  team: string;
  slowTest: { env: Record<string, string>; readyPath: string };
  perf: { env: Record<string, string>; target: SampleRequest; thresholds: PerfThresholds };
  /** Environment names in promotion order (whether one needs approval is the deploy CLI's business). */
  deploy: { environments: string[] };
}

export function pipelineFilePath(workspaceRoot: string, service: string): string {
  return join(workspaceRoot, 'services', service, 'pipeline.json');
}

export async function readPipelineFile(workspaceRoot: string, service: string): Promise<PipelineFile> {
  const path = pipelineFilePath(workspaceRoot, service);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw new Error(`${path} does not exist: is "${service}" a service of this workspace?`);
    throw error;
  });
  return parsePipelineFile(JSON.parse(text) as unknown, path);
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function parsePipelineFile(json: unknown, path = 'pipeline.json'): PipelineFile {
  const fail = (field: string, expected: string): never => {
    throw new Error(`${path}: ${field} must be ${expected}.`);
  };
  if (!isObject(json)) return fail('the file', 'a JSON object');
  const stages = Array.isArray(json['stages']) ? json['stages'].filter(isObject) : fail('stages', 'an array');
  const stage = (name: StageName): Json =>
    stages.find((s) => s['name'] === name) ?? fail(`stages[name=${name}]`, 'present');
  const text = (value: unknown, field: string) => (typeof value === 'string' ? value : fail(field, 'a string'));
  const number = (value: unknown, field: string, min = 0) =>
    typeof value === 'number' && Number.isFinite(value) && value >= min ? value : fail(field, `a number ≥ ${min}`);
  const env = (value: unknown, field: string): Record<string, string> => {
    if (value === undefined) return {};
    if (!isObject(value)) return fail(field, 'an object of strings');
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, text(v, `${field}.${key}`)]));
  };

  const slow = stage('slow-test');
  const waitFor = slow['waitFor'] === undefined ? '/health/ready' : text(slow['waitFor'], 'slow-test.waitFor');
  const perf = stage('perf');
  const target = isObject(perf['target']) ? perf['target'] : fail('perf.target', 'an object');
  const method = target['method'] ?? 'GET';
  if (method !== 'GET' && method !== 'POST') fail('perf.target.method', '"GET" or "POST"');
  const limits = isObject(perf['thresholds']) ? perf['thresholds'] : fail('perf.thresholds', 'an object');
  const maxErrorRate = number(limits['maxErrorRate'], 'perf.thresholds.maxErrorRate');
  if (maxErrorRate > 1) fail('perf.thresholds.maxErrorRate', 'a share from 0 to 1');
  const environments = stage('deploy')['environments'];
  if (!Array.isArray(environments) || environments.length === 0) fail('deploy.environments', 'a non-empty array');

  return {
    service: text(json['service'], 'service'),
    team: text(json['team'], 'team'),
    slowTest: {
      env: env(slow['env'], 'slow-test.env'),
      // A path, or the URL the team wrote (its host and port are replaced: the stage picks a free port).
      readyPath: waitFor.startsWith('/') ? waitFor : new URL(waitFor).pathname,
    },
    perf: {
      env: env(perf['env'], 'perf.env'),
      target: {
        method: method as SampleRequest['method'],
        path: text(target['path'], 'perf.target.path'),
        ...(target['body'] === undefined ? {} : { body: target['body'] }),
      },
      thresholds: {
        durationSeconds: number(limits['durationSeconds'], 'perf.thresholds.durationSeconds', 1),
        connections: number(limits['connections'], 'perf.thresholds.connections', 1),
        minRequestsPerSecond: number(limits['minRequestsPerSecond'], 'perf.thresholds.minRequestsPerSecond'),
        maxP99Ms: number(limits['maxP99Ms'], 'perf.thresholds.maxP99Ms'),
        maxErrorRate,
      },
    },
    deploy: {
      environments: (environments as unknown[]).map((entry, i) =>
        text(isObject(entry) ? entry['name'] : undefined, `deploy.environments[${i}].name`),
      ),
    },
  };
}
