import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { parsePipelineFile, readPipelineFile, stageOfTarget } from './pipeline-file';

describe('pipeline.json', () => {
  it('reads what the stages need from a generated service’s pipeline file', async () => {
    expect(await readPipelineFile(WORKSPACE_ROOT, 'catalog')).toEqual({
      service: 'catalog',
      team: 'catalog',
      slowTest: { env: { PORT: '3100', LOG_LEVEL: 'debug' }, readyPath: '/health/ready' },
      perf: {
        env: {},
        target: { method: 'GET', path: '/albums/ALB-1001' },
        thresholds: { durationSeconds: 20, connections: 50, minRequestsPerSecond: 5000, maxP99Ms: 50, maxErrorRate: 0 },
      },
      deploy: { environments: ['ci', 'preprod', 'production'] },
    });
  });

  it('names the field and the fix when a team’s edit breaks it', async () => {
    const json = JSON.parse(await readFile(join(WORKSPACE_ROOT, 'services', 'catalog', 'pipeline.json'), 'utf8'));
    const perf = json.stages.find((s: { name: string }) => s.name === 'perf');
    perf.thresholds.maxErrorRate = 5;
    expect(() => parsePipelineFile(json, 'services/catalog/pipeline.json')).toThrow(
      'services/catalog/pipeline.json: perf.thresholds.maxErrorRate must be a share from 0 to 1.',
    );
    perf.thresholds.maxErrorRate = 0;
    json.stages = json.stages.filter((s: { name: string }) => s.name !== 'deploy');
    expect(() => parsePipelineFile(json)).toThrow('pipeline.json: stages[name=deploy] must be present.');
  });

  it('maps every Nx target of the chain to its stage', () => {
    expect(
      [
        'lint',
        'typecheck',
        'test',
        'drift',
        'contract',
        'build',
        'artifact',
        'slow-test',
        'perf',
        'deploy',
        'serve',
      ].map(stageOfTarget),
    ).toEqual([
      'test',
      'test',
      'test',
      'test',
      'test',
      'artifact',
      'artifact',
      'slow-test',
      'perf',
      'deploy',
      undefined,
    ]);
  });
});
