/**
 * `npm run demo`: the platform's main job, end to end on a scratch copy of this workspace — generate a service, test
 * and build it, start the bundle, call it with a correlation ID and show the JSON log lines that carry that ID; then
 * commit, change the service as its team would, and run the delivery pipeline of what changed (`npm run ci`: the
 * affected services and why, then artifact → slow-test → perf → deploy with a live view and the final table); last,
 * MusicCorp running (`npm run dev`): two orders, one declined, each traced across the services — as
 * `main(argv, out, err)`; demo-cli.ts runs it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { createTempStorage, type TempStorage } from '@musiccorp/artifact/containers';
import { CommandLine } from '@musiccorp/core/cli';
import { createScratchWorkspace, WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { freePort, startService, type LogLine } from '@musiccorp/core/service-process';
import { demoRunningSystem } from './system/demo-system';

const SERVICE = 'demo-tracks';

const DEMO = new CommandLine({
  name: 'demo',
  usage: 'npm run demo [-- --keep]',
  help: `Generates ${SERVICE} in a scratch copy of this workspace, tests, builds and runs it with correlated logs, then
commits a change to it and runs its delivery pipeline (npm run ci).
  --keep  leave the scratch workspace on disk for a look around`,
  flags: { keep: { type: 'boolean' } },
});

export const main = DEMO.main(async ({ flags }, { out }) => {
  await demo(flags.keep, (text) => out.write(`${text}\n`));
  return 0;
});

async function demo(keep: boolean, print: (text: string) => void): Promise<void> {
  /** Its owner: catalog here; in a per-team workspace (npm run create-workspace), that workspace's own team. */
  const team = demoTeam();
  const step = (title: string) => print(`\n\x1b[1m▸ ${title}\x1b[0m`);

  const workspace = await createScratchWorkspace('musiccorp-demo-');
  const storages: TempStorage[] = [];
  try {
    step(`Scratch copy of the platform workspace: ${workspace.root}`);

    step(`Generate a service: nx g @musiccorp/generators:service ${SERVICE} --team=${team}`);
    const generated = await workspace.run(
      'npx',
      ['nx', 'g', '@musiccorp/generators:service', SERVICE, `--team=${team}`, '--no-interactive'],
      {
        env: { FORCE_COLOR: '0' },
      },
    );
    print(
      indent(
        generated.stdout
          .split('\n')
          .filter((line) => /^(CREATE|UPDATE)/.test(line))
          .join('\n'),
      ),
    );

    step(`Unit tests: nx test ${SERVICE}`);
    const tested = await workspace.run('npx', ['nx', 'test', SERVICE, '--output-style=stream'], {
      env: { FORCE_COLOR: '0' },
    });
    print(
      indent(
        tested.stdout
          .split('\n')
          .filter((line) => /Test Files|Tests /.test(line))
          .join('\n'),
      ),
    );

    step(`Build the artifact's bundle: nx build ${SERVICE}`);
    await workspace.run('npx', ['nx', 'build', SERVICE]);
    const serviceRoot = join(workspace.root, 'services', SERVICE);
    const bundleBytes = statSync(join(serviceRoot, 'dist', 'main.js')).size;
    print(indent(`services/${SERVICE}/dist/main.js: ${(bundleBytes / 1024).toFixed(0)} KiB, one file + source map`));

    step('Start the bundle as a process and wait for /health/ready');
    const service = await startService({ cwd: serviceRoot, entry: 'dist/main.js', port: await freePort() });
    print(indent(`ready in ${service.readyMs.toFixed(0)} ms at ${service.url} (pid ${service.pid})`));

    const correlationId = `demo-${randomUUID().slice(0, 8)}`;
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${service.url}${path}`, {
        method,
        headers: { 'x-correlation-id': correlationId, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const text = await response.text();
      print(
        indent(
          `${method} ${path} → ${response.status}  x-correlation-id: ${response.headers.get('x-correlation-id')}\n  ${text}`,
        ),
      );
      return JSON.parse(text) as Record<string, unknown>;
    };

    step(`Call it with x-correlation-id: ${correlationId}`);
    await call('GET', '/health/ready');
    const created = await call('POST', '/items', { name: 'Kind of Blue' });
    await call('GET', `/items/${String(created.id)}`);

    step('Stop it with SIGTERM (graceful: drain, flush logs, exit 0)');
    const exitCode = await service.stop('SIGTERM');
    print(indent(`exit code ${exitCode}`));

    step(`The service's JSON log lines carrying correlationId ${correlationId}`);
    const correlated = service.logs.filter((line: LogLine) => line.correlationId === correlationId);
    print(indent(correlated.map((line) => JSON.stringify(line)).join('\n')));
    step('Its shutdown lines');
    print(
      indent(
        service.logs
          .slice(-3)
          .map((line) => JSON.stringify(line))
          .join('\n'),
      ),
    );

    if (correlated.length < 2 || exitCode !== 0)
      throw new Error('The demo did not see the correlated log lines or a clean exit.');

    step(`The team sets its perf thresholds for this shared 2-core demo machine (services/${SERVICE}/pipeline.json)`);
    const pipelineFile = join(serviceRoot, 'pipeline.json');
    const pipeline = JSON.parse(await readFile(pipelineFile, 'utf8')) as {
      stages: { name: string; thresholds?: object }[];
    };
    const perf = pipeline.stages.find((stage) => stage.name === 'perf');
    if (!perf?.thresholds) throw new Error(`${pipelineFile} has no perf thresholds.`);
    // A 3 s load instead of the template's 20 s: the demo is a walk-through, not a measurement.
    perf.thresholds = { ...perf.thresholds, durationSeconds: 3, minRequestsPerSecond: 1000, maxP99Ms: 250 };
    await writeFile(pipelineFile, `${JSON.stringify(pipeline, null, 2)}\n`);
    print(indent(JSON.stringify(perf.thresholds)));

    step('Commit the scratch workspace');
    const before = await workspace.commit(`${SERVICE}: generated`);
    print(indent(`${before.slice(0, 12)} ${SERVICE}: generated`));

    step(`The team adds a route, GET /items (services/${SERVICE}/src/routes/items.ts), and regenerates its contract`);
    const routes = join(serviceRoot, 'src', 'routes', 'items.ts');
    const anchor = '  const store = new Map<string, Item>();\n';
    const source = await readFile(routes, 'utf8');
    if (!source.includes(anchor)) throw new Error(`${routes} no longer declares its store as the demo expects.`);
    await writeFile(
      routes,
      source.replace(anchor, `${anchor}\n  app.get('/items', async () => ({ items: [...store.values()] }));\n`),
    );
    // A new route changes the service's contract: the team regenerates it (nx sync) and commits it with the change.
    await workspace.run('npx', ['nx', 'sync'], { env: { FORCE_COLOR: '0' } });
    const contractChange = await workspace.run('git', ['diff', '--stat', '--', `services/${SERVICE}/contract`]);
    print(indent(`npx nx sync → ${contractChange.stdout.trim().split('\n')[0] ?? ''}`));
    const head = await workspace.commit(`${SERVICE}: list items`);
    print(indent(`${head.slice(0, 12)} ${SERVICE}: list items`));

    step(`Its delivery pipeline: npm run ci -- --base=${before.slice(0, 7)} --head=HEAD --approve=production`);
    // Throw-away image storages.
    const [build, run] = [
      await createTempStorage('musiccorp-demo-build-'),
      await createTempStorage('musiccorp-demo-run-'),
    ];
    storages.push(build, run);
    const ci = await execa(
      'npm',
      ['run', '-s', 'ci', '--', `--base=${before}`, '--head=HEAD', '--approve=production'],
      {
        cwd: workspace.root,
        stdio: 'inherit',
        reject: false,
        env: {
          NX_DAEMON: 'false',
          NX_NO_CLOUD: 'true',
          PIPELINE_BUILD_STORAGE: dirname(build.root),
          PIPELINE_RUN_STORAGE: dirname(run.root),
        },
      },
    );
    if (ci.exitCode !== 0) throw new Error(`The pipeline failed (npm run ci exited with ${ci.exitCode}).`);

    step('The desired state it rendered for GitOps (commit it; Flux or Argo CD applies it): the image by digest');
    const rendered = await workspace.run('git', ['status', '--short', '--untracked-files=all', 'deploy']);
    print(indent(rendered.stdout));
    const deployment = await readFile(join(workspace.root, 'deploy', 'production', SERVICE, 'deployment.yaml'), 'utf8');
    print(
      indent(
        `deploy/production/${SERVICE}/deployment.yaml: ${/image: \S+/.exec(deployment)?.[0] ?? '(no image line)'}`,
      ),
    );

    // A per-team workspace (npm run create-workspace) has its own services, not MusicCorp's.
    if (['customer', 'order-processor'].every((name) => existsSync(join(workspace.root, 'services', name)))) {
      await demoRunningSystem(workspace.root, { step, print, indent });
    }

    print(`\n\x1b[32m✔ demo complete\x1b[0m${keep ? ` — workspace kept at ${workspace.root}` : ''}`);
  } finally {
    if (!keep) await workspace.dispose();
    for (const storage of storages) await storage.dispose();
  }
}

const indent = (text: string) => text.replace(/^/gm, '    ');

function demoTeam(): string {
  const registry = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'platform', 'teams.json'), 'utf8')) as {
    defaultOwner?: string;
  };
  return registry.defaultOwner && registry.defaultOwner !== 'platform' ? registry.defaultOwner : 'catalog';
}
