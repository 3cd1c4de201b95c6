/**
 * npm run bench:artifact [-- --service=catalog --runs=5 --quiet-wait=30]
 *
 * The artifact stage's image build, measured: a committed service's bundle is built once, then its OCI image is built
 * --runs times from the same commit with the platform's build (tools/artifact/src/image-build.ts: buildah, `--timestamp
 * 0`, normalised context, no identity label) and, interleaved, with a plain `buildah bud` of the same Dockerfile,
 * context and build args — what a team would write without the platform (the anchor). Warm: the base image is already
 * in the (temporary) storage, as on a CI runner with an image cache. Reported: build time, the size of the layer the
 * Dockerfile adds (the app), and whether every rebuild gave the same digest.
 *
 * Prints a markdown table and saves bench/results/artifact.md + artifact.json. Exits 0 unless the benchmark broke.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { countFlag, parseFlags, runBenchmark } from './lib/cli';
import { QUIET_CORES, quietWaitFlag, untilQuiet } from './lib/cpu';
import { WORKSPACE_ROOT } from './lib/paths';
import { environment, evaluate, saveResult, type Row } from './lib/report';
import { median, min, summarize } from './lib/stats';
import { log, timed } from './lib/util';

const TARGET_APP_LAYER_BYTES = 5 * 1024 * 1024;
const GIT_SHA = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).trim();

// tools/src is ESM and uses execa; bench/ runs as CommonJS under tsx: load it with dynamic imports.
type ContainersModule = typeof import('@musiccorp/artifact/containers');
type ImageBuildModule = typeof import('@musiccorp/artifact/image-build');
type BaseImageModule = typeof import('@musiccorp/artifact/base-image/base-image');

async function main(): Promise<void> {
  const flags = parseFlags('npm run bench:artifact --', {
    service: { kind: 'string', default: 'catalog', pattern: /^[a-z][a-z0-9-]*$/, help: 'committed service to build' },
    runs: countFlag(5, 'builds of each variant, interleaved', 2),
    'quiet-wait': quietWaitFlag(30, 'each build'),
  });
  const containers = (await import('@musiccorp/artifact/containers')) as ContainersModule;
  const { buildImage } = (await import('@musiccorp/artifact/image-build')) as ImageBuildModule;
  const { ensureBaseImage } = (await import('@musiccorp/artifact/base-image/base-image')) as BaseImageModule;
  await containers.requireTools(['buildah']);

  const serviceRoot = join(WORKSPACE_ROOT, 'services', flags.service);
  log(`building the ${flags.service} bundle once (npx nx build ${flags.service})…`);
  execFileSync('npx', ['nx', 'build', flags.service, '--skip-nx-cache'], {
    cwd: WORKSPACE_ROOT,
    stdio: 'ignore',
    env: { ...process.env, NX_DAEMON: 'false' },
  });
  const storage = await containers.createTempStorage('musiccorp-bench-artifact-');
  try {
    const base = await ensureBaseImage({ storage });
    log(`base image ${base.name} ready in ${(base.ms / 1000).toFixed(1)} s (not timed)`);

    const ours = async () => {
      const built = await buildImage({
        contextDir: serviceRoot,
        service: flags.service,
        gitSha: GIT_SHA,
        baseImage: base.name,
        storage,
        engine: 'buildah',
      });
      await built.dispose();
      return { ms: built.buildMs, digest: built.digest ?? '', appLayerBytes: built.appLayerBytes };
    };
    const plain = async (run: number) => {
      const tag = `localhost/bench/${flags.service}-plain:${run}`;
      const { ms } = await timed(() =>
        containers.buildah(storage, [
          'bud',
          '--isolation',
          'chroot',
          '--pull=never',
          '--build-arg',
          `BASE_IMAGE=${base.name}`,
          '--build-arg',
          `GIT_SHA=${GIT_SHA}`,
          '-t',
          tag,
          serviceRoot,
        ]),
      );
      const info = await containers.inspectImage(storage, tag);
      if (!info) throw new Error(`buildah bud reported success but ${tag} is not in the storage.`);
      await containers.buildah(storage, ['rmi', tag]);
      return { ms, digest: info.digest };
    };

    await ours(); // warm-up: the first build on a storage also sets it up
    const samples = { ours: [] as number[], plain: [] as number[] };
    const digests = { ours: new Set<string>(), plain: new Set<string>() };
    let appLayerBytes = 0;
    const busy: number[] = [];
    const wait = async () => {
      busy.push(await untilQuiet(flags['quiet-wait']));
    };
    for (let run = 1; run <= flags.runs; run++) {
      await wait();
      const a = await ours();
      samples.ours.push(a.ms);
      digests.ours.add(a.digest);
      appLayerBytes = a.appLayerBytes;
      await wait();
      const b = await plain(run);
      samples.plain.push(b.ms);
      digests.plain.add(b.digest);
      log(
        `run ${run}/${flags.runs}: ours ${a.ms.toFixed(0)} ms (${a.digest.slice(0, 19)}), plain ${b.ms.toFixed(0)} ms (${b.digest.slice(0, 19)})`,
      );
    }

    const reproducible = (set: Set<string>) => (set.size === 1 ? 1 : 0);
    const rows: Row[] = [
      {
        metric: 'image build (warm), median',
        unit: 'ms',
        ours: median(samples.ours),
        anchor: median(samples.plain),
        digits: 0,
      },
      { metric: 'image build (warm), min', unit: 'ms', ours: min(samples.ours), anchor: min(samples.plain), digits: 0 },
      {
        metric: 'app layer (the layer the Dockerfile adds, uncompressed)',
        unit: 'MB',
        ours: appLayerBytes / 1024 / 1024,
        anchor: null,
        digits: 2,
        target: { on: 'ours', op: '<=', value: TARGET_APP_LAYER_BYTES / 1024 / 1024, label: '≤ 5 MB' },
      },
      {
        metric: `same digest on every rebuild of one commit (1 = yes; ${flags.runs + 1} builds of ours, ${flags.runs} plain)`,
        unit: '',
        ours: reproducible(digests.ours),
        anchor: reproducible(digests.plain),
        target: { on: 'ours', op: '>=', value: 1, label: 'yes' },
      },
    ];
    const busyRuns = busy.filter((b) => b >= QUIET_CORES).length;
    await saveResult({
      benchmark: 'artifact',
      title: `Artifact image build for ${flags.service}: the platform's reproducible buildah build vs a plain buildah bud`,
      ours: 'tools/artifact/src/image-build.ts buildImage (buildah bud --timestamp 0 --layers=false --format oci, normalised context)',
      anchor: '`buildah bud --isolation chroot --pull=never` of the same Dockerfile, context and build args',
      anchorName: 'plain buildah bud',
      env: await environment(),
      config: { service: flags.service, runs: flags.runs, baseImage: base.name, quietWait: flags['quiet-wait'] },
      rows: rows.map(evaluate),
      notes: [
        `Digests — ours: ${[...digests.ours].join(', ')}; plain: ${digests.plain.size} different across ${flags.runs} builds.`,
        'Warm: the base image (assembled from the local node, `npm run base-image`) is in the temporary storage before the first timed build; its assembly is not timed. The bundle is built once before, as the artifact target does.',
        busyRuns === 0
          ? `Every timed build started on a quiet machine (other processes < ${QUIET_CORES} core in the second before).`
          : `WARNING: ${busyRuns} of ${busy.length} timed builds started while other processes used ≥ ${QUIET_CORES} core.`,
      ],
      raw: { samples, summary: { ours: summarize(samples.ours), plain: summarize(samples.plain) }, appLayerBytes },
    });
  } finally {
    await containers.disposeStorage(storage);
  }
}

if (require.main === module) runBenchmark('artifact', main);
