import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { minimatch } from 'minimatch';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifest, renderTemplate } from '@musiccorp/core/render';
import { PLATFORM_VERSION, PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';
import { checkDrift } from './drift';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
const committedServices = readdirSync(join(WORKSPACE_ROOT, 'services')).filter((name) =>
  existsSync(join(WORKSPACE_ROOT, 'services', name, PROVENANCE_FILE)),
);

describe('committed services match the template revision they were rendered from', () => {
  it('there are services to check', () => {
    expect(committedServices.length).toBeGreaterThanOrEqual(5);
  });

  it.each(committedServices)('services/%s', (name) => {
    const report = checkDrift(WORKSPACE_ROOT, `services/${name}`);
    expect(
      report.findings,
      `platform-owned files of services/${name} were edited by hand (${report.comparedWith})`,
    ).toEqual([]);
  });
});

describe('checkDrift', () => {
  const root = mkdtempSync(join(tmpdir(), 'drift-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const answers = {
    name: 'fixture',
    team: 'catalog',
    teamHandle: '@musiccorp/catalog',
    port: 3999,
    description: 'Fixture.',
  };
  const folder = 'services/fixture';
  const files = renderTemplate('service', { ...answers, platformVersion: PLATFORM_VERSION });
  const { teamOwned } = readManifest('service');
  const isTeamOwned = (path: string) => teamOwned.some((glob) => minimatch(path, glob, { dot: true }));
  const chassisFile = files.find((file) => !isTeamOwned(file.path) && file.path.endsWith('.ts'))!;
  const teamFile = files.find((file) => isTeamOwned(file.path))!;

  for (const file of files) {
    mkdirSync(dirname(join(root, folder, file.path)), { recursive: true });
    writeFileSync(join(root, folder, file.path), file.content);
  }
  const provenance: Provenance = {
    template: 'service',
    platformVersion: PLATFORM_VERSION,
    platformCommit: null,
    templatesModified: true,
    answers,
  };
  writeFileSync(join(root, folder, PROVENANCE_FILE), JSON.stringify(provenance));

  it('finds nothing in a freshly rendered folder', () => {
    expect(checkDrift(root, folder)).toMatchObject({ findings: [], behind: [] });
  });

  it('allows changes to team-owned files', () => {
    writeFileSync(join(root, folder, teamFile.path), `${teamFile.content}\n// the team's own change\n`);
    expect(checkDrift(root, folder).findings).toEqual([]);
  });

  it('reports a hand-edited platform-owned file with the first differing line', () => {
    const original = readFileSync(join(root, folder, chassisFile.path), 'utf8');
    writeFileSync(join(root, folder, chassisFile.path), original.replace(/\n/, '\n// patched by hand\n'));
    expect(checkDrift(root, folder).findings).toEqual([{ file: chassisFile.path, problem: 'modified', line: 2 }]);
    writeFileSync(join(root, folder, chassisFile.path), original);
  });

  it('reports a deleted platform-owned file', () => {
    unlinkSync(join(root, folder, chassisFile.path));
    expect(checkDrift(root, folder).findings).toEqual([{ file: chassisFile.path, problem: 'missing' }]);
    writeFileSync(join(root, folder, chassisFile.path), chassisFile.content);
  });

  it('names the fix for a folder without provenance', () => {
    expect(() => checkDrift(root, 'services/nowhere')).toThrow(/has no template-provenance\.json/);
  });
});
