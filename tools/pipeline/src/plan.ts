/** Which Nx targets to run for a service, and which pipeline stages that takes it through. */
import { STAGE_TARGETS, STAGES, stageOfTarget, type StageName } from './pipeline-file';

export interface Plan {
  targets: string[];
  stages: StageName[];
}

/** The chain up to `last`: `nx run-many -t <last>` runs every earlier stage through dependsOn. */
export function planUpTo(last: StageName): Plan {
  const stages = STAGES.slice(0, STAGES.indexOf(last) + 1);
  return { targets: last === 'test' ? [...STAGE_TARGETS.test] : [last], stages };
}

/**
 * For an affected service: the whole chain when it must be redeployed (its artifact or deploy configuration changed);
 * otherwise up to the latest stage the change reaches — for a test or docs change only the checks it reaches.
 */
export function planForChange(redeploy: boolean, reached: string[]): Plan {
  if (redeploy) return planUpTo('deploy');
  const latest = STAGES.filter((stage) => reached.some((target) => stageOfTarget(target) === stage)).at(-1) ?? 'test';
  if (latest !== 'test') return planUpTo(latest);
  const checks = STAGE_TARGETS.test.filter((target) => reached.includes(target));
  return { targets: checks.length ? checks : [...STAGE_TARGETS.test], stages: ['test'] };
}
