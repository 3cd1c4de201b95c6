/**
 * The GitHub Actions workflows (.github/), checked offline: GitHub is not reachable from here, so nothing runs them.
 *
 * 1. Every workflow and local action passes @action-validator/cli (GitHub's schema), run as a real process, and a
 *    deliberately broken copy is rejected (the validator can fail).
 * 2. The structure the platform relies on, from the parsed YAML: the affected matrix, the stage order, the digest
 *    flowing from the artifact job through job outputs, the production approval gate, `needs.X.outputs.Y` references,
 *    npm scripts and Nx targets that exist, timeouts, bash with `set -euo pipefail`, pinned actions, no `${{ }}` in
 *    scripts.
 * 3. The scripts the workflows call (.github/scripts/), run for real against throw-away git repositories and files.
 */
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { toJson } from '@musiccorp/affected/format';
import type { AffectedResult } from '@musiccorp/affected/affected';
import { STAGE_TARGETS, STAGES as STAGES_IN_ORDER } from '../pipeline-file';
import { dryRun, STAGE_JOBS } from './dry-run';

const GITHUB = join(WORKSPACE_ROOT, '.github');
const VALIDATOR = join(WORKSPACE_ROOT, 'node_modules', '@action-validator', 'cli', 'cli.mjs');
const SCRIPTS = join(GITHUB, 'scripts');

/** The Nx targets of the service pipeline (and of every project's checks). */
const PIPELINE_TARGETS = [
  'test',
  'lint',
  'typecheck',
  'drift',
  'contract',
  'build',
  'artifact',
  'slow-test',
  'perf',
  'deploy',
];
/** The npm scripts the workflows run. Keep in sync with the workflows: the test below compares both ways. */
const SCRIPTS_USED = ['ci:affected', 'owners'];
/** Every action a workflow may use, pinned to its major version; `./` local actions aside. */
const ALLOWED_ACTIONS = [
  'actions/checkout@v4',
  'actions/setup-node@v4',
  'actions/upload-artifact@v4',
  'actions/download-artifact@v4',
  'actions/cache@v4',
];
/** The stages of service-pipeline.yml, in order; jobs at the same position run side by side. */
const STAGES = [
  ['fast-tests'],
  ['artifact'],
  ['slow-tests', 'perf'],
  ['deploy-ci'],
  ['deploy-preprod'],
  ['deploy-production'],
];
const DEPLOY_ENVIRONMENTS: Record<string, string> = {
  'deploy-ci': 'ci',
  'deploy-preprod': 'preprod',
  'deploy-production': 'production',
};
/** Nx's own commands: `npx nx <word>` with any other word runs the target <word>. */
const NX_COMMANDS = new Set(
  'run run-many affected show graph reset sync sync:check format format:check format:write g generate list report daemon init add migrate release repair watch exec connect view-logs'.split(
    ' ',
  ),
);

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  'runs-on'?: unknown;
  'timeout-minutes'?: number;
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: unknown };
  outputs?: Record<string, string>;
  env?: Record<string, unknown>;
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> | string };
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | 'inherit';
  steps?: Step[];
}
interface Input {
  required?: boolean;
  type?: string;
  default?: unknown;
}
interface Workflow {
  on: Record<string, unknown> & {
    workflow_call?: {
      inputs?: Record<string, Input>;
      secrets?: Record<string, { required?: boolean }>;
      outputs?: Record<string, { value: string }>;
    };
  };
  permissions?: Record<string, string>;
  concurrency?: { group: string; 'cancel-in-progress'?: unknown };
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}
interface Action {
  inputs?: Record<string, Input>;
  runs: { using: string; steps?: Step[] };
}

const workflowPaths = readdirSync(join(GITHUB, 'workflows'))
  .filter((f) => /\.ya?ml$/.test(f))
  .sort()
  .map((f) => join(GITHUB, 'workflows', f));
const actionPaths = readdirSync(join(GITHUB, 'actions'))
  .map((dir) => join(GITHUB, 'actions', dir, 'action.yml'))
  .filter((p) => existsSync(p))
  .sort();
const rel = (path: string) => relative(WORKSPACE_ROOT, path);
const load = <T>(path: string): T => parse(readFileSync(path, 'utf8')) as T;
const workflows = new Map(workflowPaths.map((p) => [rel(p), load<Workflow>(p)]));
const actions = new Map(actionPaths.map((p) => [rel(p), load<Action>(p)]));
const ci = workflows.get('.github/workflows/ci.yml')!;
const pipeline = workflows.get('.github/workflows/service-pipeline.yml')!;

const needsOf = (job: Job): string[] => (job.needs === undefined ? [] : [job.needs].flat());
const allJobs = () =>
  [...workflows].flatMap(([file, wf]) => Object.entries(wf.jobs).map(([id, job]) => ({ file, id, job })));
/** Every step of every job and local action, with where it is. */
const allSteps = () => [
  ...allJobs().flatMap(({ file, id, job }) => (job.steps ?? []).map((step) => ({ where: `${file} ${id}`, step }))),
  ...[...actions].flatMap(([file, action]) => (action.runs.steps ?? []).map((step) => ({ where: file, step }))),
];
const allRuns = () =>
  allSteps()
    .filter((s): s is { where: string; step: Step & { run: string } } => !!s.step.run)
    .map(({ where, step }) => ({ where, step: { ...step, run: withInputDefaults(step) } }));

/**
 * A step's script with each `"$VAR"` whose env is `${{ inputs.<name> }}` replaced by that service-pipeline.yml input's
 * default, so the targets a step runs through an input (fast-tests' `-t "$CHECKS"`) are read as by default.
 */
function withInputDefaults(step: Step & { run: string }): string {
  const inputs = pipeline.on.workflow_call?.inputs ?? {};
  return step.run.replace(/"\$([A-Z_]+)"/g, (text, name: string) => {
    const input = /^\$\{\{ inputs\.([\w-]+) \}\}$/.exec(String(step.env?.[name] ?? ''))?.[1];
    const fallback = input ? inputs[input]?.default : undefined;
    return typeof fallback === 'string' ? fallback : text;
  });
}

/** Every string inside a value (expressions live in strings anywhere: if, with, env, outputs, matrix …). */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** The Nx targets a shell script runs through `npx nx …`. */
function nxTargets(script: string): string[] {
  const targets: string[] = [];
  for (const match of script.matchAll(/\bnpx nx ([^\n|;&]*)/g)) {
    const args = match[1]!
      .trim()
      .split(/\s+/)
      .map((a) => a.replace(/^["']|["']$/g, ''));
    const [command, ...rest] = args;
    if (!command) continue;
    if (command === 'run') {
      const spec = rest.find((a) => !a.startsWith('-') && a.includes(':'));
      if (spec) targets.push(spec.slice(spec.lastIndexOf(':') + 1).replace(/["']/g, ''));
    } else if (command === 'run-many' || command === 'affected') {
      for (let i = 0; i < rest.length; i++) {
        const flag = /^(-t|--targets?)(?:=(.*))?$/.exec(rest[i]!);
        if (!flag) continue;
        const values = flag[2] !== undefined ? [flag[2]] : [];
        if (flag[2] === undefined) while (rest[i + 1] && !rest[i + 1]!.startsWith('-')) values.push(rest[++i]!);
        targets.push(...values.flatMap((v) => v.split(',')).filter(Boolean));
      }
    } else if (!NX_COMMANDS.has(command) && !command.startsWith('-')) {
      targets.push(command);
    }
  }
  return targets;
}

describe('@action-validator/cli (GitHub workflow and action schema)', () => {
  const validate = (file: string) =>
    execa(process.execPath, [VALIDATOR, file], { reject: false, env: { FORCE_COLOR: '0' } });

  it('finds the workflows and actions', () => {
    expect([...workflows.keys()]).toEqual(['.github/workflows/ci.yml', '.github/workflows/service-pipeline.yml']);
    expect(actions.size).toBeGreaterThan(0);
  });

  it.each([...workflowPaths, ...actionPaths].map(rel))('%s is valid', async (file) => {
    const result = await validate(join(WORKSPACE_ROOT, file));
    expect(result.stderr).toBe('');
    expect(result.stdout).not.toContain('"errors"');
    expect(result.exitCode).toBe(0);
  });

  describe('rejects broken copies', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'musiccorp-workflows-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('a misspelled job key (runs_on) in ci.yml', async () => {
      const text = await readFile(join(GITHUB, 'workflows', 'ci.yml'), 'utf8');
      const broken = text.replace('runs-on:', 'runs_on:');
      expect(broken).not.toBe(text);
      const file = join(dir, 'ci.yml');
      await writeFile(file, broken);
      const result = await validate(file);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain("Additional property 'runs_on' is not allowed");
    });

    it('a job that needs a job which does not exist', async () => {
      const text = await readFile(join(GITHUB, 'workflows', 'service-pipeline.yml'), 'utf8');
      const broken = text.replace('needs: fast-tests', 'needs: fast-test');
      expect(broken).not.toBe(text);
      const file = join(dir, 'service-pipeline.yml');
      await writeFile(file, broken);
      const result = await validate(file);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('unresolved_job');
    });

    it('a misspelled action runtime (using: composit)', async () => {
      const text = await readFile(actionPaths[0]!, 'utf8');
      const broken = text.replace('using: composite', 'using: composit');
      expect(broken).not.toBe(text);
      await mkdir(join(dir, 'broken-action'), { recursive: true });
      const file = join(dir, 'broken-action', 'action.yml');
      await writeFile(file, broken);
      const result = await validate(file);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain('"errors"');
    });
  });
});

describe('ci.yml', () => {
  it('runs on pushes to main and on pull requests', () => {
    expect(ci.on['push']).toEqual({ branches: ['main'] });
    expect(ci.on).toHaveProperty('pull_request');
  });

  it('has one concurrency group per ref, cancelling superseded pull-request runs only', () => {
    expect(ci.concurrency?.group).toContain('${{ github.ref }}');
    expect(ci.concurrency?.['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
  });

  it('is read-only by default; only the pipeline job may write (to let its deploy jobs push)', () => {
    expect(ci.permissions).toEqual({ contents: 'read' });
    const writers = allJobs().filter(
      ({ file, job }) => file.endsWith('ci.yml') && strings(job.permissions).includes('write'),
    );
    expect(writers.map((w) => w.id)).toEqual(['pipeline']);
  });

  it('affected: full clone, lockfile-keyed Nx workspace-data cache, ci:affected --json into a services output', () => {
    const job = ci.jobs['affected']!;
    const checkout = job.steps!.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with?.['fetch-depth']).toBe(0);
    const cache = job.steps!.find((s) => s.uses?.startsWith('actions/cache@'))!;
    expect(cache.with?.['path']).toBe('.nx/workspace-data');
    expect(cache.with?.['key']).toContain("hashFiles('package-lock.json')");
    expect(cache.with?.['restore-keys']).toContain("hashFiles('package-lock.json')");
    const step = job.steps!.find((s) => s.id === 'affected')!;
    expect(step.run).toMatch(/npm run -s ci:affected -- --base="\$base" --head="\$head" --json/);
    expect(step.run).toContain('resolve-base.sh "$EVENT_NAME" "$PR_BASE_SHA" "$BEFORE_SHA"');
    expect(step.env).toEqual({
      EVENT_NAME: '${{ github.event_name }}',
      PR_BASE_SHA: '${{ github.event.pull_request.base.sha }}',
      BEFORE_SHA: '${{ github.event.before }}',
    });
    expect(step.run).toContain(`jq -c '[.services[].name]'`);
    expect(job.outputs?.['services']).toBe('${{ steps.affected.outputs.services }}');
    expect(step.run).toContain('matrix=$(jq -c -f .github/scripts/affected-matrix.jq "$result")');
    expect(job.outputs?.['matrix']).toBe('${{ steps.affected.outputs.matrix }}');
    // Without a base every service goes through its whole pipeline: all checks, a new artifact, a deploy.
    const quoted = (targets: readonly string[]) => targets.map((t) => `"${t}"`).join(', ');
    const script = step.run!.replace(/\s+/g, ' ');
    expect(script).toContain(`rebuild: true, deploy: true, checks: [${quoted(STAGE_TARGETS.test)}]`);
    expect(script).toContain(`targets: [${quoted(STAGES_IN_ORDER.flatMap((stage) => STAGE_TARGETS[stage]))}]`);
  });

  it('checks: formatting and owners check', () => {
    const runs = ci.jobs['checks']!.steps!.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npx prettier --check');
    expect(runs).toContain('npm run owners -- check');
    expect(runs).not.toContain('sync:check');
  });

  it("platform: lint/typecheck/test of the affected platform projects, against the services' base; all without one", () => {
    const job = ci.jobs['platform']!;
    expect(job.needs).toBe('affected');
    const checkout = job.steps!.find((s) => s.uses?.startsWith('actions/checkout@'))!;
    expect(checkout.with?.['fetch-depth']).toBe(0);
    const scripts = job.steps!.filter((s) => s.run?.includes('$BASE'));
    expect(scripts.map((s) => s.name)).toEqual([
      'Affected platform projects',
      'lint, typecheck, unit tests of the affected platform projects',
    ]);
    for (const step of scripts)
      expect(step.env).toEqual({
        BASE: '${{ needs.affected.outputs.base }}',
        HEAD: '${{ needs.affected.outputs.head }}',
      });
    const [listed, run] = scripts.map((s) => s.run!);
    // The summary lists exactly the projects the run re-tests: the same range, the same selection.
    const range = `--base="$BASE" --head="$HEAD" --exclude='tag:type:service'`;
    expect(listed).toContain(`npx nx show projects --affected ${range} --json`);
    expect(listed).toContain(`npx nx show projects --exclude='tag:type:service' --json`);
    expect(run).toContain(`npx nx affected -t lint,typecheck,test ${range}`);
    expect(run).toContain(`npx nx run-many -t lint,typecheck,test --exclude='tag:type:service'`);
    expect(nxTargets(run!)).toEqual(['lint', 'typecheck', 'test', 'lint', 'typecheck', 'test']);
  });

  it('pipeline: a fail-fast-false matrix over the affected services calling service-pipeline.yml, skipped when empty', () => {
    const job = ci.jobs['pipeline']!;
    expect(job.needs).toBe('affected');
    expect(job.if).toBe("needs.affected.outputs.services != '[]'");
    expect(job.strategy?.['fail-fast']).toBe(false);
    // one matrix entry per affected service, carrying what ci:affected says its pipeline runs
    expect(job.strategy?.matrix).toBe('${{ fromJSON(needs.affected.outputs.matrix) }}');
    expect(job.uses).toBe('./.github/workflows/service-pipeline.yml');
    expect(job.with?.['service']).toBe('${{ matrix.service }}');
    expect(job.with?.['checks']).toBe('${{ matrix.checks }}');
    expect(job.with?.['deliver']).toBe('${{ matrix.deliver }}');
    expect(job.with?.['deploy']).toBe(
      "${{ github.event_name != 'pull_request' && github.ref == 'refs/heads/main' && matrix.deploy }}",
    );
    expect(job.with?.['artifact-registry']).toContain('vars.ARTIFACT_REGISTRY');
    expect(job.with?.['artifact-registry']).toContain(
      'github.event.pull_request.head.repo.full_name == github.repository',
    );
  });

  it('ci-ok: one always-running job that fails unless every job succeeded or was skipped', () => {
    const job = ci.jobs['ci-ok']!;
    expect(job.if).toBe('always()');
    expect(needsOf(job).sort()).toEqual(
      Object.keys(ci.jobs)
        .filter((id) => id !== 'ci-ok')
        .sort(),
    );
  });
});

describe('service-pipeline.yml', () => {
  const jobs = pipeline.jobs;

  it('is a reusable workflow with a required string input `service`', () => {
    expect(Object.keys(pipeline.on)).toEqual(['workflow_call']);
    expect(pipeline.on.workflow_call?.inputs?.['service']).toMatchObject({ required: true, type: 'string' });
    expect(pipeline.on.workflow_call?.inputs?.['node-version']).toMatchObject({ default: '20.20.2' });
  });

  it('runs the checks it is given, and delivers only when asked: the rest of the chain needs the artifact job', () => {
    const inputs = pipeline.on.workflow_call!.inputs!;
    expect(inputs['checks']).toMatchObject({ type: 'string', default: STAGE_TARGETS.test.join(',') });
    expect(inputs['deliver']).toMatchObject({ type: 'boolean', default: true });
    const [step, contract] = jobs['fast-tests']!.steps!.filter((s) => s.run?.includes('npx nx'));
    expect(step!.if).toBe("inputs.checks != ''");
    expect(step!.env).toEqual({ CHECKS: '${{ inputs.checks }}' });
    expect(step!.run).toContain('npx nx run-many -t "$CHECKS" --projects="$SERVICE" --output-style=stream');
    // The contract check apart, without Nx's line prefixes, so its workflow commands reach GitHub as annotations;
    // against the base ci.yml passes (the one ci:affected used), which the checkout's full history holds.
    expect(step!.run).toContain('grep -vx contract');
    expect(contract!.if).toBe("contains(format(',{0},', inputs.checks), ',contract,')");
    expect(contract!.env).toEqual({ CONTRACT_BASE: '${{ inputs.base || github.sha }}' });
    expect(contract!.run).toBe(
      'npx nx run "$SERVICE:contract" --output-style=stream-without-prefixes -- --format=github',
    );
    expect(jobs['fast-tests']!.steps![0]!.with).toMatchObject({ 'fetch-depth': 0 });
    expect(ci.jobs['pipeline']!.with).toMatchObject({ base: '${{ needs.affected.outputs.base }}' });
    expect(jobs['artifact']!.if).toBe('inputs.deliver');
    // A job whose needs were skipped is skipped: every later job needs the artifact job.
    for (const id of ['slow-tests', 'perf', ...Object.keys(DEPLOY_ENVIRONMENTS)])
      expect(needsOf(jobs[id]!), id).toContain('artifact');
  });

  it('has exactly the stage jobs, in order through needs', () => {
    expect(Object.keys(jobs).sort()).toEqual(STAGES.flat().sort());
    // Direct needs: each stage needs the stage before it (plus `artifact`, for its outputs).
    expect(needsOf(jobs['fast-tests']!)).toEqual([]);
    expect(needsOf(jobs['artifact']!)).toEqual(['fast-tests']);
    expect(needsOf(jobs['slow-tests']!)).toEqual(['artifact']);
    expect(needsOf(jobs['perf']!)).toEqual(['artifact']);
    expect(needsOf(jobs['deploy-ci']!).sort()).toEqual(['artifact', 'perf', 'slow-tests']);
    expect(needsOf(jobs['deploy-preprod']!).sort()).toEqual(['artifact', 'deploy-ci']);
    expect(needsOf(jobs['deploy-production']!).sort()).toEqual(['artifact', 'deploy-preprod']);
    // Transitively: every job runs after all earlier stages and never after a later or parallel one.
    const upstream = (id: string): Set<string> =>
      new Set(needsOf(jobs[id]!).flatMap((need) => [need, ...upstream(need)]));
    STAGES.forEach((stage, i) => {
      for (const id of stage) expect([...upstream(id)].sort()).toEqual(STAGES.slice(0, i).flat().sort());
    });
  });

  it('deploys only when asked (main), each job to its GitHub environment; production behind environment: production', () => {
    for (const [id, environment] of Object.entries(DEPLOY_ENVIRONMENTS)) {
      const job = jobs[id]!;
      expect(job.environment).toBe(environment);
      expect(job.if).toBe('inputs.deploy');
      expect(job.concurrency).toEqual({
        group: `deploy-${environment}-\${{ inputs.service }}`,
        'cancel-in-progress': false,
      });
      const runs = job.steps!.map((s) => s.run ?? '');
      const at = (text: string) => runs.findIndex((r) => r.includes(text));
      // In order: the GitOps branch's current state (promotion order), render, check the digest, push.
      const order = [
        'gitops-checkout.sh "$SERVICE"',
        `npx nx run "$SERVICE:deploy" --environment=${environment} ${environment === 'production' ? '--approve ' : ''}--exclude-task-dependencies`,
        `assert-digest.mjs "dist/pipeline/$SERVICE/last-run.json" "$ARTIFACT_DIGEST" deploy:${environment}`,
        `gitops-publish.sh ${environment} "$SERVICE" "$ARTIFACT_DIGEST"`,
      ].map(at);
      expect(
        order.every((i) => i >= 0),
        `${id}: ${order.join(',')}`,
      ).toBe(true);
      expect(
        [...order].sort((a, b) => a - b),
        id,
      ).toEqual(order);
      expect(runs.join('\n').includes('--approve'), id).toBe(environment === 'production');
    }
    const production = jobs['deploy-production']!;
    expect(production.steps![0]!.run).toContain('required_reviewers');
    expect(production.env?.['DEPLOY_APPROVED']).toBe('production');
  });

  it('is read-only except the deploy jobs, which may push to the GitOps branch', () => {
    expect(pipeline.permissions).toEqual({ contents: 'read' });
    for (const [id, job] of Object.entries(jobs)) {
      expect(job.permissions?.['contents'] ?? 'read').toBe(id in DEPLOY_ENVIRONMENTS ? 'write' : 'read');
    }
  });

  it('the artifact job builds once and outputs the digest from its record; only it builds', () => {
    const job = jobs['artifact']!;
    expect(job.outputs?.['digest']).toBe('${{ steps.record.outputs.digest }}');
    const runs = job.steps!.map((s) => s.run ?? '').join('\n');
    // The bundle, then the image with --exclude-task-dependencies: fast-tests already ran lint, typecheck and test.
    expect(nxTargets(runs)).toEqual(['build', 'artifact']);
    expect(runs).toContain('npx nx run "$SERVICE:artifact" --exclude-task-dependencies');
    expect(runs).toContain(`jq -r '.digest // empty' "$record"`);
    for (const [id, other] of Object.entries(jobs)) {
      if (id === 'artifact') continue;
      const script = (other.steps ?? []).map((s) => s.run ?? '').join('\n');
      expect(nxTargets(script), id).not.toContain('artifact');
      expect(nxTargets(script), id).not.toContain('build');
      expect(script, id).not.toMatch(/npm run (artifact|base-image)|buildah (bud|build)/);
    }
  });

  it('every later job gets the digest from needs.artifact.outputs, checks it, and never lets Nx rebuild', () => {
    for (const id of ['slow-tests', 'perf', ...Object.keys(DEPLOY_ENVIRONMENTS)]) {
      const job = jobs[id]!;
      expect(job.env?.['ARTIFACT_DIGEST'], id).toBe('${{ needs.artifact.outputs.digest }}');
      const fetch = job.steps!.find((s) => s.uses === './.github/actions/fetch-artifact')!;
      expect(fetch.with, id).toEqual({
        service: '${{ inputs.service }}',
        digest: '${{ needs.artifact.outputs.digest }}',
        store: '${{ needs.artifact.outputs.store }}',
      });
      for (const step of job.steps!.filter((s) => s.run && nxTargets(s.run).length))
        expect(step.run, `${id}: ${step.run}`).toContain('--exclude-task-dependencies');
    }
    for (const [id, stage] of [
      ['slow-tests', 'slow-test'],
      ['perf', 'perf'],
    ] as const) {
      const runs = jobs[id]!.steps!.map((s) => s.run ?? '');
      const target = runs.findIndex((r) => nxTargets(r).includes(stage));
      const check = runs.findIndex(
        (r) =>
          r ===
          `node .github/scripts/assert-digest.mjs "dist/pipeline/$SERVICE/last-run.json" "$ARTIFACT_DIGEST" ${stage}`,
      );
      expect(target, id).toBeGreaterThanOrEqual(0);
      expect(check, id).toBeGreaterThan(target);
    }
  });

  it('hands the OCI layout over as a workflow artifact when there is no registry, under the name it is fetched by', () => {
    const uploads = jobs['artifact']!.steps!.filter((s) => s.uses?.startsWith('actions/upload-artifact@'));
    const fetch = actions.get('.github/actions/fetch-artifact/action.yml')!.runs.steps!;
    const downloads = fetch.filter((s) => s.uses?.startsWith('actions/download-artifact@'));
    const layoutUpload = uploads.find((s) => s.with?.['path'] === '.artifacts/oci')!;
    const layoutDownload = downloads.find((s) => s.with?.['path'] === '.artifacts/oci')!;
    expect(layoutUpload.if).toBe("steps.record.outputs.store == 'oci-layout'");
    expect(layoutUpload.with?.['include-hidden-files']).toBe(true);
    expect(layoutDownload.if).toBe("inputs.store == 'oci-layout'");
    expect(layoutDownload.with?.['name']).toBe(layoutUpload.with?.['name']);
    const recordUpload = uploads.find((s) => String(s.with?.['path']).endsWith('artifact.json'))!;
    const recordDownload = downloads.find((s) => s.with?.['name'] === recordUpload.with?.['name'])!;
    expect(recordUpload.if).toBeUndefined();
    expect(recordDownload.with?.['path']).toBe('dist/artifacts/${{ inputs.service }}');
  });

  it('ci.yml passes only inputs and secrets it declares, and every required one', () => {
    const call = pipeline.on.workflow_call!;
    const job = ci.jobs['pipeline']!;
    expect(Object.keys(job.with ?? {}).filter((k) => !(k in (call.inputs ?? {})))).toEqual([]);
    for (const [name, input] of Object.entries(call.inputs ?? {}))
      if (input.required) expect(job.with).toHaveProperty(name);
    expect(typeof job.secrets).toBe('object');
    expect(Object.keys(job.secrets as object).filter((k) => !(k in (call.secrets ?? {})))).toEqual([]);
  });
});

describe('every workflow and action', () => {
  it('every job that runs steps has a timeout (a reusable-workflow call cannot: its jobs have one)', () => {
    for (const { file, id, job } of allJobs()) {
      if (job.uses) {
        expect(job['timeout-minutes'], `${file} ${id}`).toBeUndefined();
        expect(existsSync(join(WORKSPACE_ROOT, job.uses)), `${file} ${id}: ${job.uses}`).toBe(true);
        continue;
      }
      expect(job['timeout-minutes'], `${file} ${id}`).toBeGreaterThan(0);
      expect(job['timeout-minutes'], `${file} ${id}`).toBeLessThanOrEqual(60);
    }
  });

  it('runs bash, and every multi-line script starts with set -euo pipefail', () => {
    for (const [file, wf] of workflows) expect(wf.defaults?.run?.shell, file).toBe('bash');
    for (const [file, action] of actions)
      for (const step of action.runs.steps ?? []) if (step.run) expect(step.shell, `${file}: ${step.run}`).toBe('bash');
    for (const { where, step } of allRuns())
      if (step.run.trim().includes('\n'))
        expect(step.run.startsWith('set -euo pipefail\n'), `${where}: ${step.name}`).toBe(true);
  });

  it('interpolates no ${{ }} into scripts (values go through env: no script injection)', () => {
    for (const { where, step } of allRuns()) expect(step.run, where).not.toContain('${{');
  });

  it('uses only local actions and the allowed actions pinned to their major version', () => {
    const used = allSteps().flatMap(({ step }) => (step.uses ? [step.uses] : []));
    for (const uses of used) {
      if (uses.startsWith('./')) expect(existsSync(join(WORKSPACE_ROOT, uses, 'action.yml')), uses).toBe(true);
      else expect(ALLOWED_ACTIONS, uses).toContain(uses);
    }
  });

  it('passes local actions only inputs they declare, and every required one', () => {
    for (const { where, step } of allSteps().filter(({ step }) => step.uses?.startsWith('./.github/actions/'))) {
      const action = actions.get(`${step.uses!.slice(2)}/action.yml`)!;
      const declared = action.inputs ?? {};
      expect(
        Object.keys(step.with ?? {}).filter((k) => !(k in declared)),
        where,
      ).toEqual([]);
      for (const [name, input] of Object.entries(declared))
        if (input.required) expect(step.with, `${where}: ${name}`).toHaveProperty(name);
    }
  });

  it('every needs.X.outputs.Y names a job in needs that declares output Y', () => {
    let count = 0;
    for (const [file, wf] of workflows) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        for (const text of strings(job)) {
          for (const [, need, output] of text.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
            count++;
            const where = `${file} ${id}: needs.${need}.outputs.${output}`;
            expect(needsOf(job), where).toContain(need);
            const producer = wf.jobs[need!]!;
            const declared = producer.uses
              ? load<Workflow>(join(WORKSPACE_ROOT, producer.uses)).on.workflow_call?.outputs
              : producer.outputs;
            expect(Object.keys(declared ?? {}), where).toContain(output);
          }
        }
      }
    }
    expect(count).toBeGreaterThan(10);
  });

  it('every steps.X.outputs.Y and jobs.X.outputs.Y names a step or job that exists and produces it', () => {
    for (const [file, wf] of workflows) {
      for (const [id, job] of Object.entries(wf.jobs)) {
        const ids = new Set((job.steps ?? []).map((s) => s.id).filter(Boolean));
        for (const text of strings(job))
          for (const [, step] of text.matchAll(/steps\.([\w-]+)\.outputs\./g))
            expect(ids, `${file} ${id}`).toContain(step);
      }
      for (const [name, output] of Object.entries(wf.on.workflow_call?.outputs ?? {}))
        for (const [, job, key] of output.value.matchAll(/jobs\.([\w-]+)\.outputs\.([\w-]+)/g))
          expect(Object.keys(wf.jobs[job!]?.outputs ?? {}), `${file} output ${name}`).toContain(key);
    }
  });

  it('runs only npm scripts that exist in package.json', async () => {
    const { scripts } = JSON.parse(await readFile(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const used = new Set<string>();
    for (const { step } of allRuns())
      for (const [, script] of step.run.matchAll(/\bnpm run(?:\s+(?:-s|--silent))*\s+([\w:.-]+)/g)) used.add(script!);
    expect([...used].sort(), 'update SCRIPTS_USED in this spec when the workflows change').toEqual(SCRIPTS_USED);
    const missing = [...used].filter((s) => !(s in scripts));
    expect(missing, `the workflows run npm scripts that package.json does not define: ${missing.join(', ')}`).toEqual(
      [],
    );
  });

  it('runs only the pipeline Nx targets, and all of the service stages', () => {
    const used = new Set(allRuns().flatMap(({ step }) => nxTargets(step.run)));
    expect([...used].filter((t) => !PIPELINE_TARGETS.includes(t))).toEqual([]);
    for (const stage of ['lint', 'typecheck', 'test', 'drift', 'contract', 'artifact', 'slow-test', 'perf', 'deploy'])
      expect(used).toContain(stage);
  });

  it('reads Nx targets from every command form the workflows use', () => {
    expect(nxTargets('npx nx run "$SERVICE:slow-test" --exclude-task-dependencies')).toEqual(['slow-test']);
    expect(nxTargets('npx nx run-many -t lint,typecheck,test --projects="$SERVICE"')).toEqual([
      'lint',
      'typecheck',
      'test',
    ]);
    expect(nxTargets('npx nx affected -t lint typecheck --base=x')).toEqual(['lint', 'typecheck']);
    expect(nxTargets('npx nx affected --targets=build')).toEqual(['build']);
    expect(nxTargets('npx nx perf catalog && npx nx show projects --json')).toEqual(['perf']);
  });
});

/** A child-process environment without the caller's git, GitHub Actions or Nx variables. */
const ENV = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(GIT_|GITHUB_|NX_|RUNNER_)/.test(k))),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GITOPS_PUSH_ATTEMPTS: '8',
};
const IDENTITY = ['-c', 'user.name=Test', '-c', 'user.email=test@musiccorp.example'];

describe('.github/scripts', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'musiccorp-gh-scripts-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const digest = (c: string) => `sha256:${c.repeat(64)}`;
  const A = digest('a');
  const B = digest('b');

  describe('affected-matrix.jq', () => {
    const matrix = async (services: AffectedResult['services']) => {
      const json = JSON.stringify(toJson({ services } as AffectedResult));
      const { stdout } = await execa('jq', ['-c', '-f', join(SCRIPTS, 'affected-matrix.jq')], { input: json });
      return JSON.parse(stdout) as { include: Record<string, unknown>[] };
    };
    const service = (name: string, rebuild: boolean, redeploy: boolean, targets: string[]) => ({
      name,
      root: `services/${name}`,
      team: 'catalog',
      reasons: [],
      rebuild,
      redeploy,
      targets,
    });

    it("gives each affected service its pipeline from ci:affected's JSON: checks reached, deliver, deploy", async () => {
      const all = [...STAGE_TARGETS.test, 'build', 'artifact', 'slow-test', 'perf', 'deploy'];
      expect(
        await matrix([
          service('source-change', true, true, all),
          service('test-change', false, false, ['test', 'lint']),
          service('environment-change', false, true, ['deploy']),
          service('pipeline-file-change', false, false, [...STAGE_TARGETS.test, 'slow-test', 'perf']),
        ]),
      ).toEqual({
        include: [
          { service: 'source-change', checks: STAGE_TARGETS.test.join(','), deliver: true, deploy: true },
          { service: 'test-change', checks: 'test,lint', deliver: false, deploy: false },
          { service: 'environment-change', checks: '', deliver: true, deploy: true },
          { service: 'pipeline-file-change', checks: STAGE_TARGETS.test.join(','), deliver: true, deploy: false },
        ],
      });
      expect(await matrix([])).toEqual({ include: [] });
    });
  });

  describe('resolve-base.sh', () => {
    let repo: string;
    let first: string;
    beforeAll(async () => {
      repo = join(dir, 'resolve');
      await execa('git', ['init', '-q', '-b', 'main', repo], { env: ENV });
      await execa('git', [...IDENTITY, 'commit', '-q', '--allow-empty', '-m', 'one'], { cwd: repo, env: ENV });
      first = (await execa('git', ['rev-parse', 'HEAD'], { cwd: repo, env: ENV })).stdout;
      await execa('git', [...IDENTITY, 'commit', '-q', '--allow-empty', '-m', 'two'], { cwd: repo, env: ENV });
    });
    const resolve = (...args: string[]) =>
      execa('bash', [join(SCRIPTS, 'resolve-base.sh'), ...args], { cwd: repo, env: ENV });

    it('pull_request: the base commit; push: the commit before the push', async () => {
      expect((await resolve('pull_request', first, '')).stdout).toBe(first);
      expect((await resolve('push', '', first)).stdout).toBe(first);
    });

    it('nothing (every service) for a first push, a force-pushed-away commit or a manual run', async () => {
      for (const args of [
        ['push', '', '0'.repeat(40)],
        ['push', '', '1234567890abcdef1234567890abcdef12345678'],
        ['push', '', ''],
        ['workflow_dispatch', '', ''],
      ]) {
        const result = await resolve(...args);
        expect(result.stdout, args.join(' ')).toBe('');
        expect(result.stderr, args.join(' ')).toContain('every service counts as affected');
      }
    });
  });

  describe('assert-digest.mjs', () => {
    const check = async (record: unknown, expected: string, stage?: string) => {
      const file = join(dir, `record-${Math.random().toString(36).slice(2)}.json`);
      if (record !== undefined) await writeFile(file, typeof record === 'string' ? record : JSON.stringify(record));
      return execa(process.execPath, [join(SCRIPTS, 'assert-digest.mjs'), file, expected, ...(stage ? [stage] : [])], {
        reject: false,
        env: ENV,
      });
    };

    it("accepts the artifact record's digest and a stage's, keyed or listed", async () => {
      expect((await check({ service: 'catalog', digest: A }, A)).exitCode).toBe(0);
      expect((await check({ stages: { 'slow-test': { digest: A, ok: true } } }, A, 'slow-test')).exitCode).toBe(0);
      expect(
        (
          await check(
            {
              stages: [
                { name: 'artifact', digest: B },
                { name: 'perf', digest: A },
              ],
            },
            A,
            'perf',
          )
        ).exitCode,
      ).toBe(0);
      expect((await check({ stages: [{ stage: 'perf', artifact: { digest: A } }] }, A, 'perf')).exitCode).toBe(0);
    });

    it('reads the last-run.json the pipeline writes (tools/pipeline/src/run-record.ts)', async () => {
      const run = (stages: unknown[]) => ({ service: 'catalog', gitSha: 'f'.repeat(40), digest: A, stages });
      const passed = (name: string, digest: string | null) => ({ name, status: 'passed', durationMs: 1, digest });
      const ok = run([passed('slow-test', A), passed('perf', A), passed('deploy:ci', A)]);
      for (const stage of ['slow-test', 'perf', 'deploy:ci']) expect((await check(ok, A, stage)).exitCode).toBe(0);
      // Production without approval is recorded as awaiting it, with no digest: not a deploy.
      const waiting = await check(
        run([{ name: 'deploy:production', status: 'awaiting-approval', durationMs: 1, digest: null }]),
        A,
        'deploy:production',
      );
      expect(waiting.exitCode).toBe(1);
      expect(waiting.stderr).toContain('names no digest');
      const failed = await check(run([{ ...passed('perf', null), status: 'failed', detail: 'p99' }]), A, 'perf');
      expect(failed.exitCode).toBe(1);
    });

    it('rejects another digest, a missing stage, a missing file and an empty expected digest', async () => {
      const other = await check({ stages: { perf: { digest: B } } }, A, 'perf');
      expect(other.exitCode).toBe(1);
      expect(other.stderr).toContain(`used ${B}, but the artifact job built ${A}`);
      const nested = await check({ stages: { perf: { runs: [{ digest: A }, { digest: B }] } } }, A, 'perf');
      expect(nested.exitCode).toBe(1);
      const noStage = await check({ stages: { 'slow-test': { digest: A } } }, A, 'perf');
      expect(noStage.stderr).toContain('no entry for stage "perf"');
      const noDigest = await check({ stages: { perf: { ok: true } } }, A, 'perf');
      expect(noDigest.stderr).toContain('names no digest');
      const missing = await check(undefined, A, 'slow-test');
      expect(missing.stderr).toContain('the slow-test stage must record the digest it used there');
      const empty = await check({ digest: A }, '');
      expect(empty.exitCode).toBe(1);
      const notJson = await check('{', A);
      expect(notJson.stderr).toContain('is not JSON');
    });
  });

  describe('gitops-publish.sh', () => {
    let origin: string;
    let sequence = 0;
    const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env: ENV });
    const manifest = (service: string, image: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${service}\nspec:\n  template:\n    spec:\n      containers:\n        - name: ${service}\n          image: ${image}\n          imagePullPolicy: IfNotPresent\n`;

    /** A fresh clone of origin's main with one more commit, and deploy/<env>/<service>/ rendered into it. */
    async function clone(): Promise<string> {
      const path = join(dir, `clone-${++sequence}`);
      await git(dir, 'clone', '-q', origin, path);
      return path;
    }
    async function render(cwd: string, env: string, service: string, image: string) {
      await mkdir(join(cwd, 'deploy', env, service), { recursive: true });
      await writeFile(join(cwd, 'deploy', env, service, 'deployment.yaml'), manifest(service, image));
    }
    const publish = (cwd: string, env: string, service: string, digest: string) =>
      execa('bash', [join(SCRIPTS, 'gitops-publish.sh'), env, service, digest], { cwd, env: ENV, reject: false });
    const deployed = async (path: string) =>
      (await git(origin, 'show', `deploy:${path}`).catch(() => ({ stdout: '' }))).stdout;

    beforeAll(async () => {
      origin = join(dir, 'origin.git');
      await git(dir, 'init', '-q', '--bare', '-b', 'main', origin);
      const seed = join(dir, 'seed');
      await git(dir, 'init', '-q', '-b', 'main', seed);
      await writeFile(join(seed, 'README.md'), 'main\n');
      await git(seed, 'add', '.');
      await git(seed, ...IDENTITY, 'commit', '-q', '-m', 'one');
      await git(seed, 'push', '-q', origin, 'main');
    });

    it('creates the branch with only deploy/<env>/<service>/, trailers naming the digest and the source commit', async () => {
      const work = await clone();
      await render(work, 'ci', 'catalog', `registry:5000/musiccorp/catalog@${A}`);
      const result = await publish(work, 'ci', 'catalog', A);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('creating it');
      expect((await git(origin, 'ls-tree', '-r', '--name-only', 'deploy')).stdout).toBe(
        'deploy/ci/catalog/deployment.yaml',
      );
      const log = (await git(origin, 'log', '-1', '--format=%an%n%B', 'deploy')).stdout;
      const source = (await git(work, 'rev-parse', 'HEAD')).stdout;
      expect(log).toContain('github-actions[bot]');
      expect(log).toContain(`Digest: ${A}`);
      expect(log).toContain(`Source-Commit: ${source}`);
      // A re-run changes nothing.
      const again = await publish(work, 'ci', 'catalog', A);
      expect(again.stdout).toContain('nothing to commit');
      expect((await git(origin, 'rev-list', '--count', 'deploy')).stdout).toBe('1');
    });

    it('refuses manifests that do not pin the image to exactly this digest', async () => {
      const work = await clone();
      await render(work, 'preprod', 'catalog', `registry:5000/musiccorp/catalog@${B}`);
      expect((await publish(work, 'preprod', 'catalog', A)).stderr).toContain(`pin ${B}`);
      await render(work, 'preprod', 'catalog', 'registry:5000/musiccorp/catalog:latest');
      expect((await publish(work, 'preprod', 'catalog', A)).stderr).toContain('not pinned by digest');
      expect((await publish(work, 'preprod', 'payment', A)).stderr).toContain('render it first');
      expect((await publish(work, 'preprod', 'catalog', 'latest')).stderr).toContain('is not sha256');
      expect(await deployed('deploy/preprod/catalog/deployment.yaml')).toBe('');
    });

    it('parallel jobs publishing different services both land, each touching only its own folder', async () => {
      const works = await Promise.all([clone(), clone(), clone()]);
      const services = ['inventory', 'payment', 'customer'];
      await Promise.all(works.map((w, i) => render(w, 'ci', services[i]!, `r:5000/musiccorp/${services[i]}@${B}`)));
      const results = await Promise.all(works.map((w, i) => publish(w, 'ci', services[i]!, B)));
      for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
      const files = (await git(origin, 'ls-tree', '-r', '--name-only', 'deploy')).stdout.split('\n').sort();
      expect(files).toEqual(['catalog', ...services].sort().map((s) => `deploy/ci/${s}/deployment.yaml`));
      expect(await deployed('deploy/ci/catalog/deployment.yaml')).toContain(`catalog@${A}`);
    });

    it('never moves an environment back to an older commit', async () => {
      const older = await clone(); // main at "one"
      const newer = await clone();
      await writeFile(join(newer, 'README.md'), 'two\n');
      await git(newer, ...IDENTITY, 'commit', '-q', '-am', 'two');
      await git(newer, 'push', '-q', 'origin', 'main');
      await git(older, 'fetch', '-q', 'origin'); // a full clone knows main's newer commit, as in CI
      await render(newer, 'production', 'catalog', `r:5000/musiccorp/catalog@${B}`);
      expect((await publish(newer, 'production', 'catalog', B)).exitCode).toBe(0);
      await render(older, 'production', 'catalog', `r:5000/musiccorp/catalog@${A}`);
      const stale = await publish(older, 'production', 'catalog', A);
      expect(stale.exitCode).toBe(0);
      expect(stale.stdout).toContain('left as it is');
      expect(await deployed('deploy/production/catalog/deployment.yaml')).toContain(`catalog@${B}`);
    });

    it("gitops-checkout.sh brings a service's deployed folders from the branch into the work tree, whole", async () => {
      const work = await clone();
      await mkdir(join(work, 'deploy', 'ci', 'catalog'), { recursive: true });
      await writeFile(join(work, 'deploy', 'ci', 'catalog', 'stale.yaml'), 'stale\n');
      const result = await execa('bash', [join(SCRIPTS, 'gitops-checkout.sh'), 'catalog'], { cwd: work, env: ENV });
      expect(result.stdout).toContain('deploy/ci/catalog from deploy');
      expect(await readFile(join(work, 'deploy', 'ci', 'catalog', 'deployment.yaml'), 'utf8')).toContain(
        `catalog@${A}`,
      );
      expect(existsSync(join(work, 'deploy', 'ci', 'catalog', 'stale.yaml'))).toBe(false);
      expect(existsSync(join(work, 'deploy', 'ci', 'payment'))).toBe(false); // only the service asked for
      const none = await execa('bash', [join(SCRIPTS, 'gitops-checkout.sh'), 'nothing'], { cwd: work, env: ENV });
      expect(none.stdout).toContain('not deployed anywhere yet');
      const noBranch = await execa('bash', [join(SCRIPTS, 'gitops-checkout.sh'), 'catalog'], {
        cwd: work,
        env: { ...ENV, GITOPS_BRANCH: 'gitops-nothing-yet' },
      });
      expect(noBranch.stdout).toContain('no branch gitops-nothing-yet yet');
    });

    it('is executable-independent: the workflows call it through bash', async () => {
      const copy = join(dir, 'not-executable.sh');
      await cp(join(SCRIPTS, 'gitops-publish.sh'), copy);
      await chmod(copy, 0o644);
      const result = await execa('bash', [copy], { reject: false, env: ENV });
      expect(result.stderr).toContain('usage: gitops-publish.sh');
      const steps = allRuns().filter(({ step }) => step.run.includes('.github/scripts/'));
      for (const { where, step } of steps)
        expect(step.run, where).toMatch(/(bash|node) \.github\/scripts\/[\w-]+\.(sh|mjs)/);
    });
  });
});

/**
 * Opt-in (WORKFLOWS_DRY_RUN=1, ~30 s, needs buildah/podman/skopeo and the pipeline's Nx targets): service-pipeline.yml's
 * run steps executed for real, job by job, in a scratch workspace with a local origin (see dry-run.ts).
 */
describe.runIf(process.env['WORKFLOWS_DRY_RUN'] === '1')('dry run of service-pipeline.yml', () => {
  it('builds one artifact and takes that digest through every stage to the GitOps branch', async () => {
    const lines: string[] = [];
    const result = await dryRun({ service: 'catalog', log: (line) => lines.push(line) });
    expect(result.ok, lines.join('\n')).toBe(true);
    const digest = result.outputs['artifact']?.['digest'] ?? '';
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.keys(result.outputs)).toEqual(STAGE_JOBS);
    expect(result.gitops).toEqual(
      ['production', 'preprod', 'ci'].map((env) => `deploy(${env}): catalog ${digest.slice(0, 19)}`),
    );
    expect(result.gitopsFiles).toContain('deploy/production/catalog/deployment.yaml');
  }, 300_000);
});
