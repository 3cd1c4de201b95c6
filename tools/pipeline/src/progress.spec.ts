import { describe, expect, it } from 'vitest';
import {
  applyLastRun,
  applyPerfFigures,
  failed,
  newProgress,
  renderLive,
  renderTable,
  settleFromLiveState,
  settleFromNx,
  taskFailed,
  taskStarted,
  type NxTaskRecord,
} from './progress';
import type { StageName } from './pipeline-file';
import type { LastRun } from './run-record';

const ALL: StageName[] = ['test', 'artifact', 'slow-test', 'perf', 'deploy'];
const DIGEST = `sha256:${'f'.repeat(64)}`;
const T0 = Date.parse('2026-11-26T10:00:00.000Z');

function task(
  projectName: string,
  target: string,
  fromSecond: number,
  toSecond: number,
  extra: Partial<NxTaskRecord> = {},
): NxTaskRecord {
  return {
    projectName,
    target,
    startTime: new Date(T0 + fromSecond * 1000).toISOString(),
    endTime: new Date(T0 + toSecond * 1000).toISOString(),
    cacheStatus: 'cache-miss',
    status: 0,
    ...extra,
  };
}

const chain = (service: string): NxTaskRecord[] => [
  task(service, 'lint', 0, 4),
  task(service, 'typecheck', 0, 3, { cacheStatus: 'local-cache-hit' }),
  task(service, 'test', 3, 12),
  task(service, 'build', 0, 1),
  task(service, 'artifact', 12, 20),
  task(service, 'slow-test', 20, 24),
  task(service, 'perf', 24, 30),
  task(service, 'deploy', 30, 35),
];

const lastRun = (stages: LastRun['stages']): LastRun => ({
  service: 'catalog',
  gitSha: 'abc1234',
  digest: DIGEST,
  stages,
});

describe('pipeline progress', () => {
  it('live: build starting beside the fast tests keeps the service in "test"; the artifact target moves it on', () => {
    const p = newProgress('catalog', 'catalog', ALL);
    taskStarted(p, 'build', false, T0);
    taskStarted(p, 'lint', false, T0);
    expect(p.current).toBe('test');
    taskStarted(p, 'artifact', false, T0 + 9000);
    expect(p.current).toBe('artifact');
    expect(p.cells.test?.status).toBe('passed');
    taskStarted(p, 'slow-test', false, T0 + 15000);
    expect(renderLive([p], T0 + 16000)).toEqual([
      'SERVICE  TEAM     NOW         ELAPSED  STAGES',
      'catalog  catalog  slow-test…  16.0s    ✔ test  ✔ artifact  … slow-test  · perf  · deploy',
    ]);
  });

  it('live: a cached task shows as cached until a task of the same stage really runs', () => {
    const p = newProgress('catalog', 'catalog', ['test']);
    taskStarted(p, 'lint', true, T0);
    expect(p.cells.test?.status).toBe('cached');
    taskStarted(p, 'test', false, T0);
    expect(p.cells.test?.status).toBe('running');
    taskFailed(p, 'test');
    expect(p.cells.test?.status).toBe('failed');
  });

  // The artifact stage took 9 s: build 0–1 s beside the fast tests, then artifact 12–20 s; not the 20 s in between.
  it('final: status and busy time per stage from Nx’s task records, digest and environments from last-run.json', () => {
    const passing = newProgress('catalog', 'catalog', ALL);
    settleFromNx(passing, [...chain('catalog'), ...chain('other')]);
    applyLastRun(
      passing,
      lastRun([
        { name: 'slow-test', status: 'passed', durationMs: 4000, digest: DIGEST },
        { name: 'deploy:ci', status: 'passed', durationMs: 1000, digest: DIGEST },
        { name: 'deploy:preprod', status: 'passed', durationMs: 1000, digest: DIGEST },
        { name: 'deploy:production', status: 'awaiting-approval', durationMs: 900, digest: null },
      ]),
    );
    const broken = newProgress('inventory', 'fulfilment', ALL);
    settleFromNx(broken, [task('inventory', 'lint', 0, 2, { status: 1 }), task('inventory', 'build', 0, 1)]);
    const checksOnly = newProgress('payment', 'finance', ['test']);
    settleFromNx(checksOnly, [task('payment', 'test', 0, 7, { cacheStatus: 'local-cache-hit' })]);

    expect(failed(passing)).toBe(false);
    expect(failed(broken)).toBe(true);
    expect(failed(checksOnly)).toBe(false);
    expect(renderTable([passing, broken, checksOnly])).toEqual([
      'SERVICE    TEAM        TEST      ARTIFACT   SLOW-TEST  PERF       DEPLOY                                           DIGEST',
      'catalog    catalog     ✔ 12.0s   ✔ 9.0s     ✔ 4.0s     ✔ 6.0s     ⏸ 5.0s (ci,preprod; production awaits approval)  sha256:ffffffffffff',
      'inventory  fulfilment  ✖ 2.0s    – not run  – not run  – not run  – not run                                        —',
      'payment    finance     ✔ cached  —          —          —          —                                                —',
    ]);
  });

  it('the perf cell shows what the load measured for this run’s image, never an earlier run’s figures', () => {
    const measured = (digest: string) => ({ digest, result: { requestsPerSec: 4321.4, latencyP99Ms: 7 } });
    const p = newProgress('catalog', 'catalog', ALL);
    settleFromNx(p, chain('catalog'));
    applyLastRun(p, lastRun([{ name: 'slow-test', status: 'passed', durationMs: 4000, digest: DIGEST }]));
    applyPerfFigures(p, measured('sha256:0000'));
    expect(p.cells.perf?.note).toBeUndefined();
    applyPerfFigures(p, measured(DIGEST));
    expect(renderTable([p])[1]).toContain('✔ 6.0s (4321 req/s, p99 7 ms)');
  });

  it('without Nx’s record: what started passed unless it failed, what never started did not run', () => {
    const p = newProgress('catalog', 'catalog', ALL);
    taskStarted(p, 'lint', false, T0);
    taskStarted(p, 'artifact', false, T0);
    settleFromLiveState(p);
    expect(Object.fromEntries(Object.entries(p.cells).map(([stage, cell]) => [stage, cell.status]))).toEqual({
      test: 'passed',
      artifact: 'passed',
      'slow-test': 'skipped',
      perf: 'skipped',
      deploy: 'skipped',
    });
    expect(failed(p)).toBe(true);
  });
});
