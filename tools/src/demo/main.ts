/**
 * `npm run demo`: the platform's main job, end to end on a scratch copy of this workspace — generate a service, test
 * and build it, start the bundle, call it with a correlation ID and show the JSON log lines that carry that ID.
 * `--keep` leaves the scratch workspace on disk for a look around.
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createScratchWorkspace } from '../lib/scratch-workspace';
import { freePort, startService, type LogLine } from '../lib/service-process';

const SERVICE = 'demo-tracks';
const keep = process.argv.includes('--keep');

const step = (title: string) => console.log(`\n\x1b[1m▸ ${title}\x1b[0m`);
const indent = (text: string) => text.replace(/^/gm, '    ');

const workspace = await createScratchWorkspace('musiccorp-demo-');
try {
  step(`Scratch copy of the platform workspace: ${workspace.root}`);

  step(`Generate a service: nx g @musiccorp/generators:service ${SERVICE} --team=catalog`);
  const generated = await workspace.run(
    'npx',
    ['nx', 'g', '@musiccorp/generators:service', SERVICE, '--team=catalog', '--no-interactive'],
    {
      env: { FORCE_COLOR: '0' },
    },
  );
  console.log(
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
  console.log(
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
  console.log(
    indent(`services/${SERVICE}/dist/main.js: ${(bundleBytes / 1024).toFixed(0)} KiB, one file + source map`),
  );

  step('Start the bundle as a process and wait for /health/ready');
  const service = await startService({ cwd: serviceRoot, entry: 'dist/main.js', port: await freePort() });
  console.log(indent(`ready in ${service.readyMs.toFixed(0)} ms at ${service.url} (pid ${service.pid})`));

  const correlationId = `demo-${randomUUID().slice(0, 8)}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { 'x-correlation-id': correlationId, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    console.log(
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
  console.log(indent(`exit code ${exitCode}`));

  step(`The service's JSON log lines carrying correlationId ${correlationId}`);
  const correlated = service.logs.filter((line: LogLine) => line.correlationId === correlationId);
  console.log(indent(correlated.map((line) => JSON.stringify(line)).join('\n')));
  step('Its shutdown lines');
  console.log(
    indent(
      service.logs
        .slice(-3)
        .map((line) => JSON.stringify(line))
        .join('\n'),
    ),
  );

  if (correlated.length < 2 || exitCode !== 0)
    throw new Error('The demo did not see the correlated log lines or a clean exit.');
  console.log(`\n\x1b[32m✔ demo complete\x1b[0m${keep ? ` — workspace kept at ${workspace.root}` : ''}`);
} finally {
  if (!keep) await workspace.dispose();
}
