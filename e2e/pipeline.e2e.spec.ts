/**
 * The delivery pipeline end to end, with real git, real images and real processes: a scratch copy of this workspace
 * with three generated services, committed; a change to ONE of them; `npm run ci` — affected services with reasons,
 * then Nx runs that service's chain: fast tests → artifact (buildah, stored by digest) → slow-test (podman,
 * --network host) → perf (autocannon) → deploy (the deploy CLI, ci → preprod → production). Then Nx's cache, a rebuild
 * of the same commit, a store that lacks or has a tampered image, and one service failing beside another.
 *
 * The workspace sits at a path of 80+ characters, as deep as a GitHub runner's checkout. Build and run storages are
 * temp dirs (PIPELINE_BUILD_STORAGE, PIPELINE_RUN_STORAGE), except for one slow-test run in the workspace's own
 * storage; perf loads for 2 s (PERF_DURATION_SECONDS).
 */
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { OciLayoutArtifactStore } from '@musiccorp/artifact/oci-layout-store';
import type { ArtifactRecord } from '@musiccorp/artifact/build-artifact';
import { createTempStorage, podman, requireTools, type TempStorage } from '@musiccorp/artifact/containers';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import type { LastRun } from '@musiccorp/pipeline/run-record';
import { buildStorage, disposeWorkspaceStorages, runStorage } from '@musiccorp/pipeline/storage';
import { forgetOuterNxTask } from './support';

// Names no committed service takes; three teams.
const A = 'e2e-pl-tracks'; // changed first: its pipeline runs
const B = 'e2e-pl-orders'; // broken later, beside a change to C
const C = 'e2e-pl-ledger';
const ENVIRONMENTS = ['ci', 'preprod', 'production'];
const DIGEST = /^sha256:[0-9a-f]{64}$/;

forgetOuterNxTask();

let deepParent: string | undefined; // holds the scratch workspace, at /home/runner/work/<repo>/<repo> below it
let scratch: ScratchWorkspace | undefined;
let tempBuildStorage: TempStorage | undefined;
let tempRunStorage: TempStorage | undefined;
let base = '';
/** Steps later tests build on: a test whose prerequisite failed is skipped, so the first failure is the one reported. */
const passed = new Set<'pipeline'>();
function needs(context: TestContext, step: 'pipeline'): void {
  if (!passed.has(step)) context.skip(`skipped: the ${step} step failed`);
}

function workspace(): ScratchWorkspace {
  if (!scratch) throw new Error('the scratch workspace was not created');
  return scratch;
}
const path = (...segments: string[]) => join(workspace().root, ...segments);
const readJson = async <T>(...segments: string[]) => JSON.parse(await readFile(path(...segments), 'utf8')) as T;

/** Runs a command in the scratch copy with the pipeline's test settings; never rejects. */
const run = (command: string, args: string[]) =>
  workspace().attempt(command, args, {
    env: {
      PIPELINE_BUILD_STORAGE: dirname(tempBuildStorage!.root),
      PIPELINE_RUN_STORAGE: dirname(tempRunStorage!.root),
      PERF_DURATION_SECONDS: '2',
      FORCE_COLOR: '0',
      NX_TUI: 'false',
    },
  });

const ci = (head = 'HEAD') =>
  run('npm', ['run', '-s', 'ci', '--', `--base=${base}`, `--head=${head}`, '--approve=production']);
const nx = (...args: string[]) => run('npx', ['nx', ...args, '--output-style=stream']);

/** A change a team makes: a list endpoint in the service's sample routes, its contract regenerated (npx nx sync). */
async function addListRoute(service: string): Promise<void> {
  const file = path('services', service, 'src', 'routes', 'items.ts');
  const source = await readFile(file, 'utf8');
  const anchor = '  const store = new Map<string, Item>();\n';
  expect(source, 'items.ts declares its store as the test expects').toContain(anchor);
  await writeFile(
    file,
    source.replace(anchor, `${anchor}\n  app.get('/items', async () => ({ items: [...store.values()] }));\n`),
  );
  // The fast stage's contract check fails a committed contract that is not what the code declares.
  const synced = await run('npx', ['nx', 'sync']);
  expect(synced.exitCode, synced.output).toBe(0);
}

/** What a team does to its pipeline file's perf thresholds. */
async function setPerfThresholds(service: string, thresholds: Record<string, number>): Promise<void> {
  const file = path('services', service, 'pipeline.json');
  const pipeline = JSON.parse(await readFile(file, 'utf8')) as { stages: { name: string; thresholds?: object }[] };
  const perf = pipeline.stages.find((stage) => stage.name === 'perf')!;
  perf.thresholds = { ...perf.thresholds, ...thresholds };
  await writeFile(file, `${JSON.stringify(pipeline, null, 2)}\n`);
}

const store = () => new OciLayoutArtifactStore(path('.artifacts', 'oci'));
const artifactRecord = (service: string) => readJson<ArtifactRecord>('dist', 'artifacts', service, 'artifact.json');
const lastRun = (service: string) => readJson<LastRun>('dist', 'pipeline', service, 'last-run.json');

/** Every image digest the rendered manifests of one environment reference. */
async function deployedDigests(environment: string, service: string): Promise<string[]> {
  const dir = path('deploy', environment, service);
  const found = new Set<string>();
  for (const file of await readdir(dir))
    for (const [, digest = ''] of (await readFile(join(dir, file), 'utf8')).matchAll(/@(sha256:[0-9a-f]{64})/g))
      found.add(digest);
  return [...found];
}

/** Paths under deploy/ that git sees as new or changed (untracked files listed one by one). */
async function deployChanges(): Promise<string[]> {
  const { stdout } = await workspace().run('git', ['status', '--porcelain', '--untracked-files=all', 'deploy']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(3));
}

/** Mount points of this process's mount namespace at or below any of `dirs`. */
function mountsUnder(dirs: string[]): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => dirs.some((dir) => point === dir || point.startsWith(`${dir}/`)));
}

describe('npm run ci: affected services → their pipelines through Nx', () => {
  beforeAll(async () => {
    await requireTools(['buildah', 'skopeo', 'podman']);
    deepParent = await mkdtemp(join(tmpdir(), 'musiccorp-pipeline-e2e-'));
    const checkout = join(deepParent, 'home', 'runner', 'work', 'musiccorp-platform', 'musiccorp-platform');
    await mkdir(checkout, { recursive: true });
    scratch = await createScratchWorkspace('workspace-', checkout);
    expect(scratch.root.length).toBeGreaterThanOrEqual(80);
    tempBuildStorage = await createTempStorage('musiccorp-pipeline-build-');
    tempRunStorage = await createTempStorage('musiccorp-pipeline-run-');
    for (const [name, team] of [
      [A, 'catalog'],
      [B, 'fulfilment'],
      [C, 'finance'],
    ] as const) {
      const generated = await nx('g', '@musiccorp/generators:service', name, `--team=${team}`, '--no-interactive');
      expect(generated.exitCode, generated.output).toBe(0);
    }
    // The e2e checks the pipeline, not the speed of this shared machine: thresholds any healthy run meets.
    for (const name of [A, B, C]) await setPerfThresholds(name, { minRequestsPerSecond: 100, maxP99Ms: 1000 });
    // Every committed contract as its code declares it (the copy holds the working tree, edits in progress too), so
    // the syncs after a change below rewrite that service's contract only.
    const synced = await run('npx', ['nx', 'sync']);
    expect(synced.exitCode, synced.output).toBe(0);
    base = await workspace().commit('three services');
  });

  afterAll(async () => {
    if (scratch) await disposeWorkspaceStorages(scratch.root);
    await scratch?.dispose();
    if (deepParent) await rm(deepParent, { recursive: true, force: true });
    await tempBuildStorage?.dispose();
    await tempRunStorage?.dispose();
  });

  it('a change to one service builds ONE artifact, tests, loads and deploys exactly that digest, and nothing else', async () => {
    await addListRoute(A);
    const head = await workspace().commit(`${A}: list items`);
    const { exitCode, output } = await ci();
    expect(exitCode, output).toBe(0);

    // The affected services with their reasons, then the table.
    expect(output).toMatch(/^Affected services: 1 of \d+ /m);
    expect(output).toMatch(new RegExp(`^${A}\\s+catalog\\s+yes\\s+yes\\s`, 'm'));
    for (const why of ['src/routes/items.ts', 'contract/openapi.json'])
      expect(output).toContain(`services/${A}/${why}`);
    const record = await artifactRecord(A);
    expect(record).toMatchObject({ service: A, gitSha: head, digest: expect.stringMatching(DIGEST) });
    expect(record.image).toBe(`musiccorp/${A}@${record.digest}`);
    expect(output).toMatch(
      new RegExp(
        `^${A}\\s+catalog\\s+✔ .*✔ .*✔ .*✔ .*✔ .*\\(ci,preprod,production\\)\\s+${record.digest.slice(0, 19)}$`,
        'm',
      ),
    );

    // Exactly one artifact: one record, one image in the store.
    expect(await readdir(path('dist', 'artifacts'))).toEqual([A]);
    expect((await store().list()).map((image) => [image.service, image.digest])).toEqual([[A, record.digest]]);

    // Every stage after the artifact recorded that digest.
    const recorded = await lastRun(A);
    expect(recorded).toMatchObject({ service: A, gitSha: head, digest: record.digest });
    expect(recorded.stages.map((stage) => [stage.name, stage.status, stage.digest])).toEqual(
      ['slow-test', 'perf', ...ENVIRONMENTS.map((env) => `deploy:${env}`)].map((name) => [
        name,
        'passed',
        record.digest,
      ]),
    );

    // Deployed by digest to every environment; no other service's deploy folder was touched.
    for (const environment of ENVIRONMENTS) expect(await deployedDigests(environment, A)).toEqual([record.digest]);
    const changed = await deployChanges();
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.filter((file) => !ENVIRONMENTS.some((env) => file.startsWith(`deploy/${env}/${A}/`)))).toEqual([]);
    passed.add('pipeline');
  });

  it("the slow-test stage in the workspace's own run storage at its 80+ character path: passes, no container left, its storages removed with the workspace", async (context) => {
    needs(context, 'pipeline');
    const root = workspace().root;
    const record = await artifactRecord(A);
    // No temp storages (empty is unset): the stored image is loaded into <workspace>/.artifacts/run-containers.
    const { exitCode, output } = await workspace().attempt(
      'npx',
      ['nx', 'run', `${A}:slow-test`, '--exclude-task-dependencies', '--skip-nx-cache', '--output-style=stream'],
      { env: { PIPELINE_BUILD_STORAGE: '', PIPELINE_RUN_STORAGE: '', FORCE_COLOR: '0', NX_TUI: 'false' } },
    );
    expect(exitCode, output).toBe(0);
    expect(output).toContain(`running ${record.image} with podman`);
    expect((await lastRun(A)).stages).toEqual([
      expect.objectContaining({ name: 'slow-test', status: 'passed', digest: record.digest }),
    ]);

    const storages = [buildStorage(root, {}), runStorage(root, {})];
    const [, own] = storages;
    expect(own!.root.startsWith(root)).toBe(true);
    const { stdout: images } = await podman(own!, ['images', '--quiet', '--no-trunc']);
    expect(images.trim()).not.toBe(''); // the image it ran stays loaded for the next run
    const { stdout: containers } = await podman(own!, ['ps', '--all', '--quiet']);
    expect(containers.trim(), 'the stage removed its container').toBe('');
    expect(mountsUnder([root, ...storages.map((storage) => storage.runroot)])).toEqual([]);

    // The run root under /tmp is kept between runs by design (stage processes share its locks): the workspace's
    // owner removes it with the workspace.
    expect(existsSync(own!.runroot)).toBe(true);
    await disposeWorkspaceStorages(root);
    for (const storage of storages)
      expect([existsSync(storage.root), existsSync(storage.runroot)]).toEqual([false, false]);
  });

  it('Nx restores the artifact from its cache; --skip-nx-cache rebuilds the same commit to the same digest', async (context) => {
    needs(context, 'pipeline');
    const before = await artifactRecord(A);
    const cached = await nx('run', `${A}:artifact`);
    expect(cached.exitCode, cached.output).toBe(0);
    expect(cached.output).toMatch(
      new RegExp(`> nx run ${A}:artifact\\s+\\[(local cache|existing outputs match the cache, left as is)\\]`),
    );

    // Only the artifact stage, from the bundle already built: the fast tests need not run again for this.
    const rebuilt = await nx('run', `${A}:artifact`, '--skip-nx-cache', '--exclude-task-dependencies');
    expect(rebuilt.exitCode, rebuilt.output).toBe(0);
    expect(rebuilt.output).toMatch(new RegExp(`> nx run ${A}:artifact\\s*$`, 'm')); // really ran
    expect(await artifactRecord(A)).toEqual(before);
    expect((await store().list()).map((image) => image.digest)).toEqual([before.digest]);
  });

  it('a record whose image the store lacks (a fresh machine) fails the next stage, naming the fix', async (context) => {
    needs(context, 'pipeline');
    await rename(path('.artifacts', 'oci'), path('.artifacts', 'oci-aside'));
    try {
      const { exitCode, output } = await nx('run', `${A}:slow-test`, '--exclude-task-dependencies');
      expect(exitCode).not.toBe(0);
      expect(output).toContain(`is not in the artifact store`);
      expect(output).toContain(`npx nx run ${A}:artifact --skip-nx-cache`);
    } finally {
      await rename(path('.artifacts', 'oci-aside'), path('.artifacts', 'oci'));
    }
  });

  it('a tampered blob in the store: deploy refuses and leaves the deployed manifests as they were', async (context) => {
    needs(context, 'pipeline');
    const record = await artifactRecord(A);
    const blob = path('.artifacts', 'oci', 'blobs', 'sha256', record.appLayer.digests[0]!.slice('sha256:'.length));
    const deployed = await readFile(path('deploy', 'ci', A, 'deployment.yaml'), 'utf8');
    await chmod(blob, 0o644);
    await appendFile(blob, 'tampered');

    const { exitCode, output } = await nx('run', `${A}:deploy`, '--exclude-task-dependencies', '--environment=ci');
    expect(exitCode).not.toBe(0);
    expect(output).toMatch(/Deploy refused: .* failed verification/);
    expect(await readFile(path('deploy', 'ci', A, 'deployment.yaml'), 'utf8')).toBe(deployed);
    expect((await lastRun(A)).stages.find((stage) => stage.name === 'deploy:ci')).toMatchObject({ status: 'failed' });
  });

  it('one service failing does not stop another’s pipeline; a missed perf threshold stops the deploy; exit non-zero', async (context) => {
    needs(context, 'pipeline');
    await addListRoute(B);
    await setPerfThresholds(B, { minRequestsPerSecond: 10_000_000 });
    await addListRoute(C);
    base = (await workspace().run('git', ['rev-parse', 'HEAD'])).stdout.trim();
    await workspace().commit(`${B}, ${C}: list items; ${B}: a throughput no machine reaches`);
    const { exitCode, output } = await ci();
    expect(exitCode, output).toBe(1);
    expect(output).toMatch(new RegExp(`^${B}\\s+fulfilment\\s+✔ .*✔ .*✔ .*✖ .*– not run\\s+sha256:[0-9a-f]{12}$`, 'm'));
    expect(output).toContain('✖ requests/s:'); // the tail of its failed stage
    expect((await lastRun(B)).stages.map((stage) => [stage.name, stage.status])).toEqual([
      ['slow-test', 'passed'],
      ['perf', 'failed'],
    ]);

    const record = await artifactRecord(C);
    expect((await lastRun(C)).stages.map((stage) => [stage.name, stage.status, stage.digest, stage.detail])).toEqual(
      ['slow-test', 'perf', ...ENVIRONMENTS.map((env) => `deploy:${env}`)].map((name) => [
        name,
        'passed',
        record.digest,
        undefined,
      ]),
    );
    for (const environment of ENVIRONMENTS) {
      expect(await deployedDigests(environment, C)).toEqual([record.digest]);
      expect(existsSync(path('deploy', environment, B))).toBe(false);
    }
  });
});
