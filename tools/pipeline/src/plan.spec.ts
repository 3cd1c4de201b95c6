import { describe, expect, it } from 'vitest';
import { planForChange, planUpTo } from './plan';

describe('what to run for a service', () => {
  it('up to a stage: its target, which chains every earlier stage', () => {
    expect(planUpTo('deploy')).toEqual({
      targets: ['deploy'],
      stages: ['test', 'artifact', 'slow-test', 'perf', 'deploy'],
    });
    expect(planUpTo('artifact')).toEqual({ targets: ['artifact'], stages: ['test', 'artifact'] });
    expect(planUpTo('test')).toEqual({ targets: ['lint', 'typecheck', 'test', 'drift', 'contract'], stages: ['test'] });
  });

  it('a change that needs a new artifact or a redeploy runs the whole chain', () => {
    expect(planForChange(true, ['lint', 'test'])).toEqual(planUpTo('deploy'));
  });

  it('a test-only change runs just the checks it reaches; a pipeline-file change runs up to perf', () => {
    expect(planForChange(false, ['lint', 'test', 'typecheck'])).toEqual({
      targets: ['lint', 'typecheck', 'test'],
      stages: ['test'],
    });
    expect(planForChange(false, ['lint'])).toEqual({ targets: ['lint'], stages: ['test'] });
    // A service that consumes a changed contract: its contract check only.
    expect(planForChange(false, ['contract'])).toEqual({ targets: ['contract'], stages: ['test'] });
    expect(planForChange(false, ['lint', 'perf', 'slow-test', 'test', 'typecheck'])).toEqual(planUpTo('perf'));
  });
});
