import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { git } from '@musiccorp/core/git';
import { imageLabelArgs, sourceUrlOfRemote } from './image-labels';

describe('sourceUrlOfRemote', () => {
  it.each([
    ['https://github.com/musiccorp/platform.git', 'https://github.com/musiccorp/platform'],
    ['https://ci-bot:s3cret@github.com/musiccorp/platform.git', 'https://github.com/musiccorp/platform'],
    ['https://x-access-token@git.example:8443/musiccorp/platform/', 'https://git.example:8443/musiccorp/platform'],
    ['http://git.internal/musiccorp/platform', 'http://git.internal/musiccorp/platform'],
    ['git@github.com:musiccorp/platform.git', 'https://github.com/musiccorp/platform'],
    ['github.com:musiccorp/platform', 'https://github.com/musiccorp/platform'],
    ['ssh://git@git.example:2222/musiccorp/platform.git', 'https://git.example/musiccorp/platform'],
    ['git://git.example/musiccorp/platform.git', 'https://git.example/musiccorp/platform'],
  ])('%s → %s', (remote, url) => {
    expect(sourceUrlOfRemote(remote)).toBe(url);
  });

  it.each(['/work/main', '../platform', 'file:///srv/git/platform.git'])(
    'gives none for a local remote: %s',
    (remote) => {
      expect(sourceUrlOfRemote(remote)).toBeUndefined();
    },
  );
});

describe('imageLabelArgs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'musiccorp-labels-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const writePackage = (manifest: string) => writeFile(join(dir, 'package.json'), manifest);

  it("takes the version and description from the service's package.json, the source from origin", async () => {
    await writePackage(JSON.stringify({ name: '@musiccorp/x', version: '1.4.2', description: 'Sells "things".' }));
    git(dir, ['init', '--quiet']);
    git(dir, ['remote', 'add', 'origin', 'git@github.com:musiccorp/platform.git']);
    expect(await imageLabelArgs(dir)).toEqual({
      SERVICE_VERSION: '1.4.2',
      SERVICE_DESCRIPTION: 'Sells "things".',
      SOURCE_URL: 'https://github.com/musiccorp/platform',
    });
  });

  it("lets the caller's build args win, SOURCE_URL included (env SOURCE_URL in the artifact stage)", async () => {
    await writePackage(JSON.stringify({ version: '1.4.2', description: 'x' }));
    git(dir, ['init', '--quiet']);
    git(dir, ['remote', 'add', 'origin', 'https://github.com/musiccorp/platform.git']);
    expect(await imageLabelArgs(dir, { SOURCE_URL: 'https://git.example/fork', GIT_SHA: 'abc1234' })).toEqual({
      SERVICE_VERSION: '1.4.2',
      SERVICE_DESCRIPTION: 'x',
      SOURCE_URL: 'https://git.example/fork',
      GIT_SHA: 'abc1234',
    });
  });

  it('gives no source outside git, and nothing from a folder without package.json', async () => {
    expect(await imageLabelArgs(dir)).toEqual({});
  });

  it('names the file when package.json is not JSON', async () => {
    await writePackage('{ "version": ');
    await expect(imageLabelArgs(dir)).rejects.toThrow(`${join(dir, 'package.json')} is not valid JSON`);
  });
});
