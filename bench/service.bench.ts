/**
 * npm run bench:service [-- --runs=7 --duration=10 --connections=50]
 *
 * A generated service (generated and built with Nx in a scratch workspace, run as `node dist/main.js`) vs a bare
 * fastify hello-world with fastify's default request logging, both logging JSON at info to a FILE. For each:
 * start-to-ready time and idle RSS over several starts, then one autocannon load test each, one after the other, on
 * 127.0.0.1. Throughput counts only requests whose log lines are on disk: after each load window the benchmark waits
 * until the file holds one request line per request the server counts as served, and adds that wait to the window.
 * Prints a markdown table and saves bench/results/service.md + service.json. Exits 0 unless the benchmark itself broke.
 */
import { mkdir, open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { countFlag, parseFlags, resultsFileFlag, runBenchmark } from './lib/cli';
import { cpuSnapshot, cpuUse, QUIET_CORES, quietWaitFlag, untilQuiet } from './lib/cpu';
import { summarizeProfile, type ProfileSummary } from './lib/cpuprofile';
import { load, type LoadResult } from '@musiccorp/pipeline/load';
import { launch, requestJson, type LaunchOptions } from './lib/node-process';
import { WORKSPACE_ROOT } from './lib/paths';
import { environment, evaluate, loadAverage1m, saveResult, type Row } from './lib/report';
import { median, min, summarize } from './lib/stats';
import { loadTools } from './lib/tools';
import { fingerprint, log, sleep, waitForSettledFile } from './lib/util';

const TEMPLATE_DIR = join(WORKSPACE_ROOT, 'templates', 'service');
const SERVICE = 'bench-svc';
const TARGETS = { rpsRatio: 0.8, readyMs: 300, rssMb: 80, rssGrowthPercent: 10 };
/** How long after a load window the log lines may take to reach the file before the window counts as lossy. */
const LOG_CATCH_UP_TIMEOUT_MS = 30_000;
const MB = 1024 * 1024;
/** Above this many cores used by other processes during a load test, its figures are flagged as unreliable. */
const CONTENDED_CORES = 0.25;
const GUARD_ENV = { npm_config_dry_run: 'true', npm_config_offline: 'true', NX_DAEMON: 'false' };
/**
 * Same runtime flags for both processes: the ones the generated Dockerfile runs the service with
 * (`CMD ["node", "--enable-source-maps", "main.js"]`). Ours is also started without them, to show what they cost.
 */
const NODE_ARGS: string[] = ['--enable-source-maps'];

/**
 * fastify's hello world with its default logger (`logger: true` = pino at info, two lines per request), plus a count
 * of the GET / it answered (one onResponse hook), so its log lines can be checked against what it served as ours are
 * against its /metrics.
 */
const BARE_SERVER = `import Fastify from 'fastify';
const app = Fastify({ logger: true });
let served = 0;
app.addHook('onResponse', (request, _reply, done) => {
  if (request.url === '/') served += 1;
  done();
});
app.get('/', async () => ({ hello: 'world' }));
app.get('/served', async () => ({ served }));
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
const close = () => app.close().then(() => process.exit(0));
process.on('SIGTERM', close);
process.on('SIGINT', close);
`;

interface Target {
  id: 'ours' | 'bare';
  cwd: string;
  entry: string;
  readyPath: string;
}

async function main(): Promise<void> {
  const flags = parseFlags('npm run bench:service --', {
    runs: countFlag(7, 'measured starts per server (ready time, idle RSS)'),
    duration: countFlag(10, 'seconds of each measured load test'),
    connections: countFlag(50, 'autocannon connections'),
    warmup: countFlag(2, 'seconds of unmeasured load before each load test', 0),
    rounds: countFlag(
      3,
      'load-test rounds, one test after the other (ours first in odd rounds, bare first in even ones); the median round of each counts',
    ),
    profile: {
      kind: 'choice',
      default: 'auto',
      choices: ['auto', 'always', 'never'],
      help: 'CPU-profile both servers under load (auto: when req/s misses the target)',
    },
    out: resultsFileFlag('service'),
    'wait-template': {
      kind: 'number',
      default: 1800,
      min: 0,
      help: 'seconds to wait for templates/service/src/main.ts',
    },
    'quiet-wait': quietWaitFlag(60, 'each start and load test'),
  });
  if (flags.runs < 5)
    log(`--runs=${flags.runs} is below the 5 starts a reportable figure needs; treat this as a smoke run.`);

  await waitForSettledFile(join(TEMPLATE_DIR, 'src', 'main.ts'), TEMPLATE_DIR, 15_000, flags['wait-template'] * 1000);
  const template = await fingerprint(TEMPLATE_DIR);
  const env = await environment();
  const { createScratchWorkspace, freePort } = await loadTools();
  log('creating the scratch workspace…');
  const ws = await createScratchWorkspace('musiccorp-bench-service-');
  try {
    log(`generating and building ${SERVICE}…`);
    await ws.run('npx', ['nx', 'g', '@musiccorp/generators:service', SERVICE, '--team=catalog', '--no-interactive'], {
      env: GUARD_ENV,
    });
    await ws.run('npx', ['nx', 'build', SERVICE, '--skip-nx-cache'], { env: GUARD_ENV });
    const serviceDir = join(ws.root, 'services', SERVICE);
    const bundle = await readFile(join(serviceDir, 'dist', 'main.js'), 'utf8').catch(() => {
      throw new Error(`nx build ${SERVICE} did not produce services/${SERVICE}/dist/main.js.`);
    });
    const mapBytes = (await stat(join(serviceDir, 'dist', 'main.js.map')).catch(() => ({ size: 0 }))).size;
    const bareDir = join(ws.root, 'bench-bare');
    await mkdir(bareDir);
    await writeFile(join(bareDir, 'server.mjs'), BARE_SERVER);
    const logs = join(ws.root, 'bench-logs');
    await mkdir(logs);

    const ours: Target = { id: 'ours', cwd: serviceDir, entry: 'dist/main.js', readyPath: '/health/ready' };
    const bare: Target = { id: 'bare', cwd: bareDir, entry: 'server.mjs', readyPath: '/' };
    let launches = 0;
    const busyBefore: { what: string; busy: number }[] = [];
    const quiet = async (what: string) => {
      const busy = await untilQuiet(flags['quiet-wait'], what);
      busyBefore.push({ what, busy });
    };
    const start = async (target: Target, tag: string, nodeArgs: string[] = NODE_ARGS) => {
      const file = join(logs, `${target.id}-${tag}-${++launches}`);
      const options: LaunchOptions = {
        cwd: target.cwd,
        entry: target.entry,
        nodeArgs,
        port: await freePort(),
        // No load balancer to drain from: SIGTERM closes at once (the bare server ignores the variable).
        env: { LOG_LEVEL: 'info', NODE_ENV: 'production', SHUTDOWN_DRAIN_DELAY_MS: '0' },
        readyPath: target.readyPath,
        stdoutFile: `${file}.stdout.log`,
        stderrFile: `${file}.stderr.log`,
      };
      return { server: await launch(options), stdoutFile: options.stdoutFile };
    };

    // 1. Start-to-ready and idle RSS: one unmeasured start each (disk cache), then interleaved measured starts.
    //    "oursPlain" is ours without NODE_ARGS (no --enable-source-maps), for information.
    type StartKind = Target['id'] | 'oursPlain';
    const ready: Record<StartKind, number[]> = { ours: [], bare: [], oursPlain: [] };
    const rss: Record<StartKind, number[]> = { ours: [], bare: [], oursPlain: [] };
    const kinds: { kind: StartKind; target: Target; nodeArgs: string[] }[] = [
      { kind: 'ours', target: ours, nodeArgs: NODE_ARGS },
      { kind: 'bare', target: bare, nodeArgs: NODE_ARGS },
      { kind: 'oursPlain', target: ours, nodeArgs: [] },
    ];
    for (let round = 0; round <= flags.runs; round++) {
      for (const { kind, target, nodeArgs } of kinds) {
        await quiet(`start ${round} ${kind}`);
        const { server } = await start(target, 'start', nodeArgs);
        await sleep(1000);
        const bytes = await server.rssBytes();
        await server.stop();
        if (round === 0) continue;
        ready[kind].push(server.readyMs);
        rss[kind].push(bytes);
        log(
          `start ${round}/${flags.runs} ${kind.padEnd(9)} ready ${server.readyMs.toFixed(0)} ms, idle RSS ${(bytes / MB).toFixed(1)} MB`,
        );
      }
    }

    // 2. Load tests, one after the other.
    const loadOf = async (target: Target, nodeArgs: string[] = NODE_ARGS, tag = 'load') => {
      await quiet(`${tag} ${target.id}`);
      const { server, stdoutFile } = await start(target, tag, nodeArgs);
      try {
        let path = '/';
        if (target.id === 'ours') {
          const created = await requestJson(`${server.url}/items`, 'POST', { name: 'benchmark item' });
          const id = (created.body as { id?: unknown } | null)?.id;
          if (created.status >= 300 || (typeof id !== 'string' && typeof id !== 'number')) {
            throw new Error(
              `POST /items answered ${created.status} ${JSON.stringify(created.body)}; expected 2xx with an id.`,
            );
          }
          path = `/items/${encodeURIComponent(String(id))}`;
          const fetched = await requestJson(`${server.url}${path}`, 'GET');
          if (fetched.status !== 200)
            throw new Error(`GET ${path} answered ${fetched.status} ${JSON.stringify(fetched.body)}.`);
        }
        const url = `${server.url}${path}`;
        const requestLog = new RequestLines(stdoutFile, target.id);
        const served = target.id === 'ours' ? () => servedByMetrics(server.url) : () => servedByBare(server.url);
        if (flags.warmup > 0) await load({ url, connections: flags.connections, durationSeconds: flags.warmup });
        const warm = await untilLogged(served, requestLog);
        const rssAfterWarmup = await server.rssBytes();
        const before = await lineCount(stdoutFile);
        log(`load ${target.id}: GET ${path}, ${flags.connections} connections, ${flags.duration} s…`);
        const cpuBefore = await cpuSnapshot([process.pid, server.pid]);
        const result = await load({ url, connections: flags.connections, durationSeconds: flags.duration });
        const use = cpuUse(cpuBefore, await cpuSnapshot([process.pid, server.pid]));
        const window = await untilLogged(served, requestLog);
        const rssAfterLoad = await server.rssBytes();
        const logged = {
          servedInWindow: window.served - warm.served,
          linesInWindow: window.lines - warm.lines,
          missingAtWindowEnd: Math.max(warm.served - warm.lines, window.served - window.lines),
          catchUpMs: window.catchUpMs,
          rpsWithLogs: (window.served - warm.served) / (result.elapsedSeconds + window.catchUpMs / 1000),
          rssAfterWarmup,
          rssAfterLoad,
        };
        const cpu = {
          server: use.byPid[server.pid] ?? 0,
          loadGenerator: use.byPid[process.pid] ?? 0,
          others: use.others,
        };
        // CPU the server spent per request: much steadier than req/s when other processes compete for the cores.
        const serverCpuUsPerRequest = (cpu.server * use.seconds * 1e6) / Math.max(1, result.requestsTotal);
        const lines = await logLinesFrom(stdoutFile, before);
        if (result.ok2xx === 0)
          throw new Error(`Load test on ${url} got no 2xx responses: ${JSON.stringify(result.statusCodes)}.`);
        log(
          `  ${logged.rpsWithLogs.toFixed(0)} req/s with their log lines on disk (autocannon: ${result.requestsPerSec.toFixed(0)}); ${window.lines} request lines ${window.lines === window.served ? '==' : '<'} ${window.served} requests served, ${logged.catchUpMs.toFixed(0)} ms after the window; RSS ${(rssAfterWarmup / MB).toFixed(1)} → ${(rssAfterLoad / MB).toFixed(1)} MB; p99 ${result.latencyP99Ms} ms, ${serverCpuUsPerRequest.toFixed(1)} µs server CPU/request; CPU cores: server ${cpu.server.toFixed(2)}, autocannon ${cpu.loadGenerator.toFixed(2)}, others ${cpu.others.toFixed(2)}`,
        );
        return { result, lines, logged, path, cpu, serverCpuUsPerRequest };
      } finally {
        await server.stop();
      }
    };
    type LoadRun = Awaited<ReturnType<typeof loadOf>>;
    const rounds: { ours: LoadRun; bare: LoadRun }[] = [];
    for (let round = 0; round < flags.rounds; round++) {
      // Alternate who goes first, so a drift in machine speed does not always favour the same one.
      if (round % 2 === 0) {
        const o = await loadOf(ours);
        rounds.push({ ours: o, bare: await loadOf(bare) });
      } else {
        const b = await loadOf(bare);
        rounds.push({ ours: await loadOf(ours), bare: b });
      }
    }
    /** The round with the median req/s (the lower middle one for an even count); its figures are reported. */
    const medianRound = (id: 'ours' | 'bare') => {
      const byRate = rounds.map((r) => r[id]).sort((a, b) => a.logged.rpsWithLogs - b.logged.rpsWithLogs);
      const middle = byRate[Math.floor((byRate.length - 1) / 2)];
      if (!middle) throw new Error('No load round ran (--rounds is at least 1).');
      return middle;
    };
    const oursLoad = medianRound('ours');
    const bareLoad = medianRound('bare');
    const pairedRatios = rounds.map((r) => r.ours.logged.rpsWithLogs / r.bare.logged.rpsWithLogs);
    const rpsRatio = oursLoad.logged.rpsWithLogs / bareLoad.logged.rpsWithLogs;
    /** Request lines not on disk at the end of a window (warm-up or measured), in the worst round: must be 0. */
    const worstMissing = (id: 'ours' | 'bare') => Math.max(...rounds.map((r) => r[id].logged.missingAtWindowEnd));
    const rssGrowthPercent = ({ logged }: LoadRun) =>
      ((logged.rssAfterLoad - logged.rssAfterWarmup) / logged.rssAfterWarmup) * 100;

    // 3. Optional CPU profiles under the same load, to say where the time goes.
    const profiles: Partial<Record<Target['id'], ProfileSummary>> = {};
    const profileNotes: string[] = [];
    if (flags.profile === 'always' || (flags.profile === 'auto' && rpsRatio < TARGETS.rpsRatio)) {
      for (const target of [ours, bare]) {
        const dir = join(logs, `profile-${target.id}`);
        await mkdir(dir);
        log(`profiling ${target.id} under load…`);
        await loadOf(target, [...NODE_ARGS, '--cpu-prof', `--cpu-prof-dir=${dir}`], 'profile');
        const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
        if (!file) {
          profileNotes.push(
            `No CPU profile from ${target.id}: it did not exit normally on SIGTERM, so node never wrote it.`,
          );
          continue;
        }
        profiles[target.id] = await summarizeProfile(
          join(dir, file),
          target.id === 'ours' ? { url: 'dist/main.js', source: bundle } : undefined,
        );
      }
      profileNotes.push(...describeProfiles(profiles));
    }

    const rows: Row[] = [
      {
        metric: 'start → ready, median',
        unit: 'ms',
        ours: median(ready.ours),
        anchor: median(ready.bare),
        target: { on: 'ours', op: '<=', value: TARGETS.readyMs, label: `≤ ${TARGETS.readyMs} ms` },
      },
      { metric: 'start → ready, min', unit: 'ms', ours: min(ready.ours), anchor: min(ready.bare) },
      {
        metric: 'idle RSS (ready + 1 s), median',
        unit: 'MB',
        digits: 1,
        ours: median(rss.ours) / MB,
        anchor: median(rss.bare) / MB,
        target: { on: 'ours', op: '<=', value: TARGETS.rssMb, label: `≤ ${TARGETS.rssMb} MB` },
      },
      {
        metric: 'ours without --enable-source-maps: start → ready, median',
        unit: 'ms',
        ours: median(ready.oursPlain),
        anchor: null,
      },
      {
        metric: 'ours without --enable-source-maps: idle RSS, median',
        unit: 'MB',
        digits: 1,
        ours: median(rss.oursPlain) / MB,
        anchor: null,
      },
      {
        metric: 'requests/s, with their log lines on disk',
        unit: 'req/s',
        ours: oursLoad.logged.rpsWithLogs,
        anchor: bareLoad.logged.rpsWithLogs,
        target: { on: 'ratio', op: '>=', value: TARGETS.rpsRatio, label: `ratio ≥ ${TARGETS.rpsRatio}` },
      },
      {
        metric: 'requests/s as autocannon counts them (lines may still be in memory)',
        unit: 'req/s',
        ours: oursLoad.result.requestsPerSec,
        anchor: bareLoad.result.requestsPerSec,
      },
      {
        metric: 'request lines missing from disk at the end of a window, worst round',
        unit: '',
        ours: worstMissing('ours'),
        anchor: worstMissing('bare'),
        target: { on: 'ours', op: '<=', value: 0, label: 'lines == requests served' },
      },
      {
        metric: 'requests served (measured window, server count)',
        unit: '',
        ours: oursLoad.logged.servedInWindow,
        anchor: bareLoad.logged.servedInWindow,
      },
      {
        metric: 'their request lines on disk',
        unit: '',
        ours: oursLoad.logged.linesInWindow,
        anchor: bareLoad.logged.linesInWindow,
      },
      {
        metric: 'window end → every line on disk, median of rounds',
        unit: 'ms',
        ours: median(rounds.map((r) => r.ours.logged.catchUpMs)),
        anchor: median(rounds.map((r) => r.bare.logged.catchUpMs)),
      },
      {
        metric: 'RSS after load',
        unit: 'MB',
        digits: 1,
        ours: oursLoad.logged.rssAfterLoad / MB,
        anchor: bareLoad.logged.rssAfterLoad / MB,
      },
      {
        metric: 'RSS growth over the measured window (after warm-up)',
        unit: '%',
        digits: 1,
        ours: rssGrowthPercent(oursLoad),
        anchor: rssGrowthPercent(bareLoad),
        target: { on: 'ours', op: '<=', value: TARGETS.rssGrowthPercent, label: `≤ ${TARGETS.rssGrowthPercent} %` },
      },
      {
        metric: 'server CPU per request, median of rounds',
        unit: 'µs',
        digits: 1,
        ours: median(rounds.map((r) => r.ours.serverCpuUsPerRequest)),
        anchor: median(rounds.map((r) => r.bare.serverCpuUsPerRequest)),
      },
      { metric: 'latency p50', unit: 'ms', ours: oursLoad.result.latencyP50Ms, anchor: bareLoad.result.latencyP50Ms },
      { metric: 'latency p99', unit: 'ms', ours: oursLoad.result.latencyP99Ms, anchor: bareLoad.result.latencyP99Ms },
      {
        metric: 'requests served (measured window)',
        unit: '',
        ours: oursLoad.result.requestsTotal,
        anchor: bareLoad.result.requestsTotal,
      },
      {
        metric: 'measured window',
        unit: 's',
        digits: 2,
        ours: oursLoad.result.elapsedSeconds,
        anchor: bareLoad.result.elapsedSeconds,
      },
      {
        metric: 'info request log lines (measured window)',
        unit: '',
        ours: oursLoad.lines.request,
        anchor: bareLoad.lines.request,
      },
      {
        metric: 'log lines per request',
        unit: '',
        digits: 2,
        ours: oursLoad.lines.request / oursLoad.result.requestsTotal,
        anchor: bareLoad.lines.request / bareLoad.result.requestsTotal,
      },
    ];

    const loggingNote = (id: string, l: LogCount, r: LoadResult) =>
      `${id}: ${l.total.toLocaleString('en-US')} log lines written during the measured window, ${l.request.toLocaleString('en-US')} of them info request lines (${(l.request / r.requestsTotal).toFixed(2)} per request served; messages: ${Object.entries(
        l.byMessage,
      )
        .map(([m, n]) => `"${m}" ×${n}`)
        .join(', ')}); status codes ${JSON.stringify(r.statusCodes)}, errors ${r.errors}, timeouts ${r.timeouts}.`;
    const notes = [
      `Both run as \`node ${NODE_ARGS.join(' ')}${NODE_ARGS.length ? ' ' : ''}<entry>\` (as the generated Dockerfile runs ours) with LOG_LEVEL=info, NODE_ENV=production, HOST=127.0.0.1; stdout (the logs) goes straight to a file through a file descriptor, nothing parses it while the server runs.`,
      `Ours: \`nx build ${SERVICE}\` → services/${SERVICE}/dist/main.js (one esbuild bundle, ${(bundle.length / 1024).toFixed(0)} KiB, source map ${(mapBytes / 1024).toFixed(0)} KiB), load on GET ${oursLoad.path} after one POST /items. Bare: fastify \`logger: true\` hello world loaded from node_modules (not bundled), load on GET /.`,
      `Ready time: spawn → first 200 (ours /health/ready, bare /), polled every ~2 ms; ${flags.runs} measured starts each, interleaved, after one unmeasured start each. All samples (ms) — ours: ${ready.ours.map((v) => v.toFixed(0)).join(', ')}; bare: ${ready.bare.map((v) => v.toFixed(0)).join(', ')}; ours without --enable-source-maps: ${ready.oursPlain.map((v) => v.toFixed(0)).join(', ')}.`,
      `Load: autocannon in the benchmark process (one core for it, one for the server), ${flags.warmup} s unmeasured warm-up then ${flags.duration} s measured, ${flags.connections} connections, ${flags.rounds} round(s), one test after the other (never concurrently), alternating which goes first.`,
      `Logs written: at the end of each window (warm-up and measured) the benchmark polls the server's count of requests served (ours: http_request_duration_seconds_count for GET /items/:id on /metrics; bare: an onResponse count of GET / on /served) and the request lines in the file (ours: "request completed" for /items/:id; bare: "request completed" of an "incoming request" for /) until they are equal, at most ${LOG_CATCH_UP_TIMEOUT_MS / 1000} s. req/s with lines on disk = requests served in the measured window / (window + that wait); RSS is read after the warm-up and after the window, once its lines are on disk.`,
      loggingNote('Ours', oursLoad.lines, oursLoad.result),
      loggingNote('Bare', bareLoad.lines, bareLoad.result),
      cpuNote(
        oursLoad.cpu,
        bareLoad.cpu,
        rounds.flatMap((r) => [r.ours.cpu.others, r.bare.cpu.others]),
      ),
      busyNote(busyBefore),
      ...(flags.rounds > 1
        ? [
            `${flags.rounds} load rounds; each row shows the round with the median req/s with lines on disk. All of those req/s — ours: ${rounds.map((r) => r.ours.logged.rpsWithLogs.toFixed(0)).join(', ')}; bare: ${rounds.map((r) => r.bare.logged.rpsWithLogs.toFixed(0)).join(', ')}; ours/bare per round: ${pairedRatios.map((r) => r.toFixed(2)).join(', ')} (median ${median(pairedRatios).toFixed(2)}). On this shared 2-core VM a single round varies by ±15–20 %.`,
          ]
        : []),
      `Load average (1 m): ${env.loadAverage1m} at start, ${loadAverage1m().toFixed(2)} at end.`,
      ...(oursLoad.result.non2xx + oursLoad.result.errors > 0
        ? [
            `WARNING: ours answered ${oursLoad.result.non2xx} non-2xx and had ${oursLoad.result.errors} errors under load; its req/s is not comparable.`,
          ]
        : []),
      ...profileNotes,
    ];

    await saveResult({
      benchmark: 'service',
      file: flags.out,
      title: 'Generated service vs bare fastify hello world (logging to a file at info)',
      ours: `services/${SERVICE} generated by @musiccorp/generators:service, built with nx (esbuild bundle), GET /items/:id`,
      anchor: 'fastify 5 hello world, `logger: true` (default request logging), GET /',
      anchorName: 'bare fastify',
      env,
      config: {
        runs: flags.runs,
        duration: flags.duration,
        connections: flags.connections,
        warmup: flags.warmup,
        rounds: flags.rounds,
        profile: flags.profile,
        quietWait: flags['quiet-wait'],
        template: `templates/service ${template.files} files, sha256 ${template.sha256}, last changed ${template.newestChange}`,
      },
      rows: rows.map(evaluate),
      notes,
      raw: {
        ready: {
          ours: summarize(ready.ours),
          bare: summarize(ready.bare),
          oursPlain: summarize(ready.oursPlain),
          samples: ready,
        },
        rssBytes: {
          ours: summarize(rss.ours),
          bare: summarize(rss.bare),
          oursPlain: summarize(rss.oursPlain),
          samples: rss,
        },
        load: { ours: oursLoad, bare: bareLoad, rounds, pairedRatios },
        busyBefore,
        profiles: Object.fromEntries(
          Object.entries(profiles).map(([id, p]) => [
            id,
            { totalMs: p.totalMs, modules: p.modules.slice(0, 20), functions: p.functions.slice(0, 30) },
          ]),
        ),
      },
    });
  } finally {
    await ws.dispose();
  }
}

interface Logged {
  served: number;
  lines: number;
  /** From the call until the file held a line per request served (or the timeout); reading it not included. */
  catchUpMs: number;
}

/** Polls the server's served count and the request lines on disk until they are equal (LOG_CATCH_UP_TIMEOUT_MS). */
async function untilLogged(served: () => Promise<number>, requestLog: RequestLines): Promise<Logged> {
  const started = performance.now();
  for (;;) {
    const count = await served();
    const { lines, sizedAt } = await requestLog.count();
    const catchUpMs = sizedAt - started;
    if (lines >= count || catchUpMs > LOG_CATCH_UP_TIMEOUT_MS) return { served: count, lines, catchUpMs };
    await sleep(5);
  }
}

/** Ours: GET /items/:id answered, from its own histogram on /metrics (a probe route: logged at debug, so not in the file). */
async function servedByMetrics(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let served = 0;
  for (const line of text.split('\n')) {
    if (
      line.startsWith('http_request_duration_seconds_count{') &&
      line.includes('route="/items/:id"') &&
      line.includes('method="GET"')
    )
      served += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return served;
}

/** Bare: GET / answered, from its onResponse count. */
async function servedByBare(baseUrl: string): Promise<number> {
  return ((await (await fetch(`${baseUrl}/served`)).json()) as { served: number }).served;
}

/**
 * The request lines of the loaded path in a growing log file, read incrementally. Ours writes one line per request
 * with its route; bare fastify's "request completed" line has no URL, so it is matched to its "incoming request" line
 * by reqId.
 */
class RequestLines {
  private offset = 0;
  private partial = '';
  private readonly decoder = new StringDecoder('utf8');
  private lines = 0;
  private readonly bareRootRequests = new Set<unknown>();

  constructor(
    private readonly file: string,
    private readonly target: Target['id'],
  ) {}

  /** The lines up to the file's size now; `sizedAt`: when that size was read (parsing the lines takes a while). */
  async count(): Promise<{ lines: number; sizedAt: number }> {
    const handle = await open(this.file, 'r');
    try {
      const { size } = await handle.stat();
      const sizedAt = performance.now();
      // In chunks: a 60 s load writes more log than one string can hold (512 MiB).
      const chunk = Buffer.alloc(16 * 1024 * 1024);
      while (this.offset < size) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, size - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const complete = (this.partial + this.decoder.write(chunk.subarray(0, bytesRead))).split('\n');
        this.partial = complete.pop() ?? '';
        for (const line of complete) if (this.isRequestLine(line)) this.lines += 1;
      }
      return { lines: this.lines, sizedAt };
    } finally {
      await handle.close();
    }
  }

  private isRequestLine(line: string): boolean {
    if (!line.includes('request')) return false;
    const entry = JSON.parse(line) as {
      msg?: string;
      route?: string;
      method?: string;
      reqId?: unknown;
      req?: { url?: string };
    };
    if (this.target === 'ours')
      return entry.msg === 'request completed' && entry.route === '/items/:id' && entry.method === 'GET';
    if (entry.msg === 'incoming request' && entry.req?.url === '/') this.bareRootRequests.add(entry.reqId);
    return entry.msg === 'request completed' && this.bareRootRequests.has(entry.reqId);
  }
}

/** The file's lines, read as a stream: a 60 s load writes more log than one string can hold. */
async function* fileLines(file: string): AsyncGenerator<string> {
  yield* createInterface({ input: createReadStream(file), crlfDelay: Infinity });
}

async function lineCount(file: string): Promise<number> {
  let lines = 0;
  for await (const _line of fileLines(file)) lines++;
  return lines;
}

interface LogCount {
  total: number;
  /** JSON lines at info (30 or "info") about a request: they carry req/res/responseTime or say "request". */
  request: number;
  byMessage: Record<string, number>;
}

async function logLinesFrom(file: string, fromLine: number): Promise<LogCount> {
  const count: LogCount = { total: 0, request: 0, byMessage: {} };
  let index = 0;
  for await (const line of fileLines(file)) {
    if (index++ < fromLine || line === '') continue;
    count.total++;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const msg = typeof entry.msg === 'string' ? entry.msg : '(no msg)';
    count.byMessage[msg] = (count.byMessage[msg] ?? 0) + 1;
    const aboutRequest = 'req' in entry || 'res' in entry || 'responseTime' in entry || /request/i.test(msg);
    // pino writes the level as a number (30) by default; a `formatters.level` may write the label ('info').
    if ((entry.level === 30 || entry.level === 'info') && aboutRequest) count.request++;
  }
  return count;
}

/** Other processes on a shared machine take CPU from the server or from autocannon: say so when they did. */
function cpuNote(
  ours: { server: number; loadGenerator: number; others: number },
  bare: typeof ours,
  allOthers: number[],
): string {
  const line = (id: string, c: typeof ours) =>
    `${id}: server ${c.server.toFixed(2)}, autocannon ${c.loadGenerator.toFixed(2)}, everything else ${c.others.toFixed(2)}`;
  const contended = allOthers.filter((others) => others > CONTENDED_CORES).length;
  return `CPU cores busy on average during the reported measured windows — ${line('ours', ours)}; ${line('bare', bare)}.${
    contended
      ? ` WARNING: in ${contended} of ${allOthers.length} measured windows other processes used more than ${CONTENDED_CORES} core, so req/s is depressed and the ratio less reliable; rerun on a quiet machine or with more --rounds.`
      : ` No other process used more than ${CONTENDED_CORES} core in any measured window.`
  }`;
}

function busyNote(samples: { what: string; busy: number }[]): string {
  const busy = samples.filter((s) => s.busy >= QUIET_CORES);
  return busy.length === 0
    ? `Every start and load test began on a quiet machine (other processes < ${QUIET_CORES} core in the second before).`
    : `WARNING: ${busy.length} of ${samples.length} starts/load tests began while other processes used ≥ ${QUIET_CORES} core (${busy.map((s) => `${s.what} ${s.busy.toFixed(2)}`).join(', ')}).`;
}

function describeProfiles(profiles: Partial<Record<'ours' | 'bare', ProfileSummary>>): string[] {
  const notes: string[] = [];
  for (const [id, p] of Object.entries(profiles)) {
    const modules = p.modules
      .slice(0, 8)
      .map((m) => `${m.module} ${m.selfPercent.toFixed(1)}%`)
      .join(', ');
    const functions = p.functions
      .slice(0, 10)
      .map((f) => `${f.name} [${f.module}] ${f.selfPercent.toFixed(1)}%`)
      .join('; ');
    notes.push(`CPU profile ${id} under load (self time): by module — ${modules}. Top functions — ${functions}.`);
  }
  return notes;
}

runBenchmark('service', main);
