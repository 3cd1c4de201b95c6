import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { composeWorkspace, type ComposedWorkspace } from './compose';
import { isCopied } from '@musiccorp/core/workspace/platform-files';
import { ownersOf } from '@musiccorp/generators/src/codeowners/lib/sync';
import { readPlatformTeams, resolveTeam } from './team';
import { scriptFiles } from '@musiccorp/core/workspace/transforms';

const TEAM = 'royalties';
/** Where the workspace would go: composing leaves it empty (it writes nothing). */
const ROOT = mkdtempSync(join(tmpdir(), 'compose-'));
let composed: ComposedWorkspace;
const file = (path: string) => {
  const found = composed.files.find((candidate) => candidate.path === path);
  if (!found) throw new Error(`${path} is not in the workspace`);
  return found.content.toString('utf8');
};
const json = <T>(path: string) => JSON.parse(file(path)) as T;
const paths = () => composed.files.map((candidate) => candidate.path);

describe('the files of a new team workspace', () => {
  beforeAll(async () => {
    const teams = readPlatformTeams(WORKSPACE_ROOT);
    const { team, options } = resolveTeam(teams, { team: TEAM, members: 'royalties-lead' }, ROOT);
    composed = await composeWorkspace({ platformRoot: WORKSPACE_ROOT, teams, team, teamOptions: options });
  });
  afterAll(() => rmSync(ROOT, { recursive: true, force: true }));

  it('writes nothing: the files are returned, for yeoman to write', () => {
    expect(readdirSync(ROOT)).toEqual([]);
    expect(readdirSync(join(WORKSPACE_ROOT, 'templates', 'workspace')).sort()).toEqual([
      'README.md.hbs',
      'platform',
      'template.json',
    ]);
  });

  it('holds the plugin, the templates, the tools, the pipelines, the environments and the root configuration', () => {
    for (const path of [
      'generators/plugin.js',
      'generators/generators.json',
      'tools/core/src/render.ts',
      'templates/service/template.json',
      'tools/dev/src/test-all.ts',
      'tools/affected/src/cli.ts',
      '.github/workflows/ci.yml',
      '.ci/run',
      'platform/environments/production.json',
      'platform/teams.schema.json',
      'nx.json',
      'tsconfig.base.json',
      'eslint.config.mjs',
      '.prettierrc',
      '.prettierignore',
      'package-lock.json',
    ])
      expect(paths()).toContain(path);
    expect(composed.files.find((candidate) => candidate.path === '.ci/run')?.executable).toBe(true);
    const plopfiles = ['plopfile.js', 'plopfile.cjs', 'plopfile.mjs', 'plopfile.ts'].filter((name) =>
      existsSync(join(WORKSPACE_ROOT, name)),
    );
    for (const plopfile of plopfiles) expect(paths()).toContain(plopfile);
  });

  it("leaves out the platform's services, e2e tests, benchmarks, the copies' specs and this command", () => {
    expect(paths().filter((path) => /^(services|e2e|bench)\//.test(path))).toEqual([]);
    expect(paths().filter((path) => /^(generators|tools)\/.*\.spec\.ts$/.test(path))).toEqual([]);
    expect(paths().filter((path) => /^(templates\/workspace|tools\/workspace)\//.test(path))).toEqual([]);
    expect(paths()).not.toContain('generators/vitest.config.mts');
    // …while a template's own specs (what a generated service is tested with) stay.
    expect(paths()).toContain('templates/service/test/chassis/health.spec.ts');
    expect(isCopied('tools/owners/src/check.spec.ts')).toBe(false);
    expect(isCopied('templates/service/test/routes/items.spec.ts')).toBe(true);
  });

  it('copied projects without specs have no test target (an empty `vitest run` fails); lint and typecheck stay', () => {
    const tools = paths().filter((path) => /^tools\/[^/]+\/project\.json$/.test(path));
    expect(tools).toContain('tools/core/project.json');
    for (const project of ['generators/project.json', ...tools]) {
      expect(Object.keys(json<{ targets: object }>(project).targets).sort()).toEqual(['lint', 'typecheck']);
    }
  });

  it("package.json: the platform's pinned toolchain under the workspace's name, only scripts whose files it has", () => {
    const platform = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    const pkg = json<{ name: string; scripts: Record<string, string> } & Record<string, unknown>>('package.json');
    expect(pkg.name).toBe(`@musiccorp/${TEAM}-workspace`);
    expect(pkg['devDependencies']).toEqual(platform['devDependencies']);
    expect(pkg['dependencies']).toEqual(platform['dependencies']);
    expect(pkg.scripts).toMatchObject({ test: expect.any(String), demo: expect.any(String), ci: expect.any(String) });
    expect(Object.keys(pkg.scripts).filter((name) => /^bench|create-workspace/.test(name))).toEqual([]);
    for (const command of Object.values(pkg.scripts))
      for (const path of scriptFiles(command)) expect(paths()).toContain(path);

    const lock = json<{ name: string; packages: Record<string, { name?: string }> }>('package-lock.json');
    expect([lock.name, lock.packages['']?.name]).toEqual([pkg.name, pkg.name]);
  });

  it('the registry holds the platform team and the team, the default owner of everything but the copies', () => {
    const registry = json<{ defaultOwner: string; teams: { id: string; members: string[] }[] }>('platform/teams.json');
    expect(registry.defaultOwner).toBe(TEAM);
    expect(registry.teams.map((team) => team.id)).toEqual(['platform', TEAM]);
    const codeowners = file('CODEOWNERS');
    expect(codeowners).toContain(`\n* @musiccorp/${TEAM}\n`);
    expect(ownersOf(codeowners, 'nx.json')).toEqual([`@musiccorp/${TEAM}`]);
    expect(ownersOf(codeowners, 'generators/plugin.js')).toEqual([`@musiccorp/${TEAM}`, '@musiccorp/platform']);
  });

  it('records where the copy came from, and renders the README from templates/workspace', () => {
    const provenance = json<{ platformVersion: string; platformCommit: string; copied: string[] }>('platform.json');
    expect(provenance.platformVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(provenance.platformCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(provenance.copied).toContain('generators/plugin.js');
    expect(provenance.copied).not.toContain('package.json'); // derived, not copied
    const readme = file('README.md');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
    expect(readme).toContain(`--team=${TEAM}`);
  });
});
