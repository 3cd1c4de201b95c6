/**
 * The README's commands run as written. Every line of its `sh` blocks runs, block by block in the README's order, in
 * a scratch copy of this workspace that has an `origin` remote (so `--base=origin/main` resolves), committing after
 * each block as a team would — except the lines in NOT_RUN_HERE, each with the reason and the spec that runs it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchWorkspace, WORKSPACE_ROOT, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { startSystem, type RunningSystem } from '@musiccorp/dev/system/running-system';
import { forgetOuterNxTask, scratchCommands } from './support';

forgetOuterNxTask();

const NOT_RUN_HERE: Record<string, string> = {
  'npm ci && npm run demo':
    'the Quickstart: .ci/run runs npm ci on a fresh clone; npm ci here would reinstall the shared node_modules',
  'npm ci && npm test': 'the Quickstart: this spec is part of it',
  'npx plop': 'interactive: it asks which generator to run (e2e/plop.e2e.spec.ts runs both with arguments)',
  // A scratch copy is one fresh commit: the template commit a service records is readable there but not its ancestor.
  'npx nx g @musiccorp/generators:upgrade catalog --dry-run':
    'needs the platform history since the recorded template commit: e2e/upgrade.e2e.spec.ts runs it on one',
  'npx nx g @musiccorp/generators:upgrade catalog':
    'needs the platform history since the recorded template commit: e2e/upgrade.e2e.spec.ts runs it on one',
  'npx nx g @musiccorp/generators:upgrade --team=catalog':
    'needs the platform history since the recorded template commit: e2e/upgrade.e2e.spec.ts runs it on one',
  'npx nx g @musiccorp/generators:upgrade --all --commit':
    'needs the platform history since the recorded template commit: e2e/upgrade.e2e.spec.ts runs it on one',
  'npm run ci -- --base=origin/main --head=HEAD':
    'builds, tests, loads and deploys OCI images of the affected services: e2e/pipeline.e2e.spec.ts runs it',
  'npm run pipeline -- catalog --to=perf': 'builds and loads an OCI image: e2e/pipeline.e2e.spec.ts runs the pipeline',
  'npm run create-workspace -- ../royalties-services --team=royalties --members=alice,bob':
    'installs the new workspace with npm: e2e/create-workspace.e2e.spec.ts runs it',
  'npm run dev -- order-processor catalog inventory payment --log-level=debug':
    'a second npm run dev while the first (started in the background below) holds the ports: e2e/dev.e2e.spec.ts starts a chosen few',
  'npm run logs -- --service=payment --level=warn --since=5m status=502 --follow':
    'follows until Ctrl-C: tools/logs/src/cli.spec.ts stops a --follow with SIGINT',
};

/**
 * Lines that run until Ctrl-C: started in the background, and the README's next block (logs and traces) reads what
 * it logs — a request with the README's example correlation id `order-42` — then it is stopped.
 */
const IN_BACKGROUND = 'npm run dev';
const EXAMPLE_CORRELATION_ID = 'order-42';

/** The README's `sh` blocks, each a list of commands with their trailing comments removed. */
function shellBlocks(markdown: string): string[][] {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) =>
    (match[1] ?? '')
      .split('\n')
      .map((line) => line.replace(/\s+#\s.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return blocks.filter((block) => block.length > 0);
}

let parent: string;
let scratch: ScratchWorkspace | undefined;
function workspace(): ScratchWorkspace {
  if (!scratch) throw new Error('the scratch workspace was not created');
  return scratch;
}
const { run } = scratchCommands(workspace);
let blocks: string[][] = [];

beforeAll(async () => {
  blocks = shellBlocks(await readFile(join(WORKSPACE_ROOT, 'README.md'), 'utf8'));
  // Its own parent folder: README commands that write beside the workspace (`../catalog-services`) stay inside it.
  parent = await mkdtemp(join(tmpdir(), 'musiccorp-readme-'));
  scratch = await createScratchWorkspace('platform-', parent);
  const remote = join(parent, 'origin.git');
  await scratch.run('git', ['clone', '-q', '--bare', scratch.root, remote]);
  await scratch.run('git', ['remote', 'add', 'origin', remote]);
  await scratch.run('git', ['fetch', '-q', 'origin']);
});
afterAll(() => rm(parent, { recursive: true, force: true }));

describe("the README's commands", () => {
  it('are found, and every line not run here is still in the README', () => {
    const lines = blocks.flat();
    expect(lines.length).toBeGreaterThan(10);
    for (const line of [...Object.keys(NOT_RUN_HERE), IN_BACKGROUND]) expect(lines).toContain(line);
  });

  it('run as written on a fresh copy, block by block', async () => {
    let background: RunningSystem | undefined;
    try {
      for (const block of blocks) {
        for (const line of block) {
          if (line in NOT_RUN_HERE) continue;
          if (line === IN_BACKGROUND) {
            background = await startSystem({ cwd: workspace().root, args: [], env: workspace().env });
            const answer = await fetch('http://127.0.0.1:3100/albums/ALB-1001', {
              headers: { 'x-correlation-id': EXAMPLE_CORRELATION_ID },
            });
            expect(answer.status).toBe(200);
            continue;
          }
          const { exitCode, output } = await run('bash', ['-c', line]);
          expect(exitCode, `${line}\n${output}`).toBe(0);
        }
        if (background && block.some((line) => line.startsWith('npm run trace'))) {
          await background.stop();
          background = undefined;
        }
        await workspace().commit(`README block: ${block[0]}`);
      }
    } finally {
      await background?.stop();
    }
  }, 600_000); // every README command, one after the other: a bound on a hang, not a timing
});
