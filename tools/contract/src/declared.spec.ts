/**
 * `check --declared` on a real service: the chassis and routes of templates/service, in a git repository of their own,
 * described by running the code (src/describe/) and compared byte for byte with the committed contract files.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { createGitRepo, teamsJson, type GitRepo } from '@musiccorp/core/testing/git-repo';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from './command';
import { formatContract } from './describe/contract-files';
import { describeServices } from './describe/describe-service';

let repo: GitRepo;
afterEach(() => repo?.dispose());

async function serviceRepo(): Promise<GitRepo> {
  repo = createGitRepo(
    {
      'nx.json': '{ "defaultBase": "main" }\n',
      'platform/teams.json': teamsJson(['catalog']),
      'services/catalog/project.json': `${JSON.stringify({ name: 'catalog', tags: ['type:service', 'team:catalog'] })}\n`,
    },
    'contract-declared-',
  );
  cpSync(join(WORKSPACE_ROOT, 'templates/service/src'), join(repo.root, 'services/catalog/src'), { recursive: true });
  // The chassis reads the service's name and version from it.
  cpSync(join(WORKSPACE_ROOT, 'services/catalog/package.json'), join(repo.root, 'services/catalog/package.json'));
  const declared = (await describeServices(repo.root, ['catalog'])).get('catalog')!;
  repo.write({
    'services/catalog/contract/openapi.json': formatContract(declared.openapi),
    'services/catalog/contract/events.json': formatContract(declared.events),
  });
  repo.commit('catalog with its contract');
  return repo;
}

const run = (...argv: string[]) =>
  runCaptured(main, ['check', `--repo=${repo.root}`, '--base=main', '--service=catalog', '--declared', ...argv]);

describe('contract check --declared', () => {
  it('passes when the committed contracts are what the code declares', async () => {
    await serviceRepo();
    const { code, stdout } = await run();
    expect(code, stdout).toBe(0);
    expect(stdout).toContain('Committed contracts are what the code declares (2 files).');
  });

  it('fails, naming the file and the fix, when the code declares something else', async () => {
    await serviceRepo();
    const routes = join(repo.root, 'services/catalog/src/routes/items.ts');
    // Another path for the same routes: the code now declares a contract the committed file does not hold.
    writeFileSync(routes, readFileSync(routes, 'utf8').replaceAll("'/items", "'/records"));
    const { code, stdout } = await run('--format=github');
    expect(code).toBe(1);
    expect(stdout).toContain(
      '::error file=services/catalog/contract/openapi.json,title=contract not in sync with the code::' +
        'services/catalog/contract/openapi.json is not what the code declares. Fix: run `npx nx sync` and commit the ' +
        'contract files it writes.',
    );
    expect(stdout).not.toContain('file=services/catalog/contract/events.json');
  });
});
