/**
 * The plop micro-generators end to end, in a scratch copy of this workspace: the real `npx plop endpoint …` and
 * `npx plop event …` (positional arguments, and plop's named arguments after `--`) add to a committed service, whose
 * real Nx targets — lint, typecheck, test — then pass with the new files, prettier-clean and without drift; every
 * refusal exits non-zero, names the fix in our words alone and leaves `git status` empty; and without a terminal, where
 * plop cannot ask, it says so in one plain line.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { createScratchWorkspace, type ScratchWorkspace } from '@musiccorp/core/scratch-workspace';
import { checkDrift } from '@musiccorp/generators/src/drift/drift';
import { forgetOuterNxTask, scratchCommands } from './support';

const SERVICE = 'catalog';
const ROOT = `services/${SERVICE}`;

forgetOuterNxTask();

let scratch: ScratchWorkspace | undefined;
/** Later tests build on the generated files: when generating failed they are skipped, so that failure is reported. */
let generated = false;
const needsGenerated = (context: TestContext) => {
  if (!generated) context.skip('skipped: generating failed');
};

function workspace(): ScratchWorkspace {
  if (!scratch) throw new Error('the scratch workspace was not created');
  return scratch;
}
const { run, succeeds } = scratchCommands(workspace);
const read = (file: string) => readFile(join(workspace().root, ROOT, file), 'utf8');

const plop = (...args: string[]) => succeeds('npx', 'plop', ...args);

/** `npx <command>` with stdin from /dev/null, as in CI: its exit code and raw output, escape codes and all. */
const withoutTerminal = (command: string) =>
  execa('npx', command.split(' '), { cwd: workspace().root, env: workspace().env, stdin: 'ignore', reject: false });

/** Paths git sees as changed or new (untracked files one by one). */
async function gitChanges(): Promise<string[]> {
  const { stdout } = await workspace().run('git', ['status', '--porcelain', '--untracked-files=all']);
  return stdout.split('\n').filter(Boolean);
}

beforeAll(async () => {
  scratch = await createScratchWorkspace('musiccorp-plop-');
});
afterAll(() => scratch?.dispose());

describe('npx plop', () => {
  it("explains a generator's arguments when they do not fit", async () => {
    const { exitCode, output } = await run('npx', ['plop', 'endpoint', SERVICE, 'GET', '/x', 'getX', 'one-too-many']);
    expect(exitCode).toBe(1);
    expect(output).toMatch(/Too many bypass arguments passed for "endpoint"/);
    expect(output).toMatch(/--service +the service \(a project tagged type:service\)/);
    expect(output).toMatch(/--handlerName +camelCase; names the plugin and its files/);
    expect(await gitChanges()).toEqual([]);
  });

  it.for(['plop', 'plop endpoint', `plop event ${SERVICE}`])(
    'without a terminal, `npx %s` says in one plain line that it needs one, and how to give every answer',
    async (command) => {
      const { exitCode, stdout, stderr } = await withoutTerminal(command);
      expect(exitCode, stderr).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'npx plop needs a terminal to ask which generator to run and its answers; without one, give every answer: npx plop endpoint <service> <METHOD> <path> <handlerName>, or npx plop event <service> <EventName>',
      );
      expect(await gitChanges()).toEqual([]);
    },
  );

  it('adds endpoints and events to a service from positional and named arguments', async () => {
    expect(await plop('endpoint', SERVICE, 'GET', '/albums/:albumId', 'getAlbum')).toMatch(
      /created services\/catalog\/src\/routes\/get-album\.ts/,
    );
    await plop('endpoint', SERVICE, 'post', '/albums/:albumId/tracks', 'addTrack');
    await plop(
      'endpoint',
      '--',
      '--service',
      SERVICE,
      '--method',
      'DELETE',
      '--path',
      '/albums/:albumId',
      '--handlerName',
      'deleteAlbum',
    );
    expect(await plop('event', SERVICE, 'AlbumReleased')).toMatch(
      /created services\/catalog\/src\/events\/transport\.ts/,
    );

    expect((await gitChanges()).sort()).toEqual([
      ` M ${ROOT}/README.md`,
      ` M ${ROOT}/src/routes/index.ts`,
      `?? ${ROOT}/src/events/album-released/consumer.ts`,
      `?? ${ROOT}/src/events/album-released/event.ts`,
      `?? ${ROOT}/src/events/album-released/publisher.ts`,
      `?? ${ROOT}/src/events/envelope.ts`,
      `?? ${ROOT}/src/events/transport.ts`,
      `?? ${ROOT}/src/routes/add-track.ts`,
      `?? ${ROOT}/src/routes/delete-album.ts`,
      `?? ${ROOT}/src/routes/get-album.ts`,
      `?? ${ROOT}/test/events/album-released.spec.ts`,
      `?? ${ROOT}/test/routes/add-track.spec.ts`,
      `?? ${ROOT}/test/routes/delete-album.spec.ts`,
      `?? ${ROOT}/test/routes/get-album.spec.ts`,
    ]);
    const index = await read('src/routes/index.ts');
    for (const plugin of ['getAlbum', 'addTrack', 'deleteAlbum']) {
      expect(index.match(new RegExp(`^import \\{ ${plugin} \\} from '\\./`, 'gm'))).toHaveLength(1);
      expect(index.match(new RegExp(`^  await app\\.register\\(${plugin}\\);$`, 'gm'))).toHaveLength(1);
    }
    expect(await read('README.md')).toMatch(/\| `POST` +\| `\/albums\/:albumId\/tracks` +\| Add track/);
    generated = true;
  });

  it("passes the service's lint, typecheck and tests, prettier-clean and without drift", async (context) => {
    needsGenerated(context);
    await succeeds('npx', 'prettier', '--check', ROOT);
    await succeeds('npx', 'nx', 'run', `${SERVICE}:lint`, '--skip-nx-cache');
    await succeeds('npx', 'nx', 'run', `${SERVICE}:typecheck`, '--skip-nx-cache');
    const tests = await succeeds('npx', 'nx', 'run', `${SERVICE}:test`, '--skip-nx-cache');
    for (const spec of ['routes/get-album', 'routes/add-track', 'routes/delete-album', 'events/album-released']) {
      expect(tests).toMatch(new RegExp(`✓ test/${spec}\\.spec\\.ts`));
    }
    expect(checkDrift(workspace().root, ROOT).findings).toEqual([]);
    await workspace().commit('micro-generators');
  });

  it.for<[string, string[], RegExp]>([
    [
      'an unknown service',
      ['endpoint', 'nope', 'GET', '/x', 'getX'],
      /^\[ERROR\] Unknown service "nope"\. Use one of: .*catalog.*\. Or create it: npx nx g @musiccorp\/generators:service nope --team=<team>$/m,
    ],
    [
      'a duplicate route',
      ['endpoint', SERVICE, 'GET', '/albums/:id', 'fetchAlbum'],
      /GET \/albums\/:id already exists in catalog: services\/catalog\/src\/routes\/get-album\.ts/,
    ],
    [
      'a route of the sample module',
      ['endpoint', SERVICE, 'POST', '/items', 'createItem'],
      /POST \/items already exists in catalog/,
    ],
    ['a bad path', ['endpoint', SERVICE, 'GET', '/Albums/', 'getX'], /must not end with "\/": use "\/albums"\.$/m],
    [
      'a bad method',
      ['endpoint', SERVICE, 'FETCH', '/x', 'getX'],
      /^\[ERROR\] Unknown HTTP method "FETCH"\. Use one of: GET, POST, PUT, PATCH, DELETE\.$/m,
    ],
    ['a taken handler name', ['endpoint', SERVICE, 'GET', '/x', 'getAlbum'], /Handler name "getAlbum" is taken/],
    ['a bad event name', ['event', SERVICE, 'album_released'], /must be PascalCase.*Try "AlbumReleased"/],
    ['a duplicate event', ['event', SERVICE, 'AlbumReleased'], /catalog already has the event AlbumReleased/],
  ])('refuses %s, naming the fix, and writes nothing', async ([, args, message], context) => {
    needsGenerated(context);
    const { exitCode, output } = await run('npx', ['plop', ...args]);
    expect(exitCode, output).not.toBe(0);
    expect(output).toMatch(message);
    expect(await gitChanges()).toEqual([]);
  });
});
