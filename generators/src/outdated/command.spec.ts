import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '@nx/devkit';
import { listServices } from '@musiccorp/core/services';
import { isTeamOwned } from '../drift/drift';
import { UpgradeRun } from '../upgrade/lib/plan-service';
import type { UpgradeTarget } from '../upgrade/lib/normalize-options';
import { createFixture, REVISION_1, type Fixture } from '../upgrade/testing';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from './command';
import type { OutdatedReport } from './outdated';

/**
 * The upgrade specs' fixture, a real git repository: alpha and beta rendered at revision 1 of the template, then two
 * template commits (a chassis file changed; the README changed, a chassis file removed, one added) and one that is not the
 * template's; gamma rendered at the last template commit. alpha's team edited the README line the template changes
 * too (a conflict in a team-owned file, which the report leaves to the upgrade); beta's chassis was edited by hand
 * (drift).
 */
let fixture: Fixture;
const TEAM_OWNED = (JSON.parse(REVISION_1['template.json'] ?? '{}') as { teamOwned: string[] }).teamOwned;
const commits = { revision1: '', revision3: '', head: '' };

beforeAll(() => {
  fixture = createFixture();
  commits.revision1 = fixture.repo.git('rev-parse', 'HEAD').trim();
  fixture.addServices(
    [
      { name: 'alpha', team: 'catalog', port: 3100 },
      { name: 'beta', team: 'fulfilment', port: 3101 },
    ],
    commits.revision1,
  );
  fixture.reviseTemplate('logger revision 2', {
    'src/chassis/logger.ts': (REVISION_1['src/chassis/logger.ts'] ?? '').replace('revision 1', 'revision 2'),
  });
  commits.revision3 = fixture.reviseTemplate('README and legacy, revision 3', {
    'README.md.hbs': (REVISION_1['README.md.hbs'] ?? '').replace(
      'LOG_LEVEL (default info)',
      'LOG_LEVEL (default warn)',
    ),
    'src/chassis/legacy.ts': null,
    'src/chassis/tracing.ts': 'export const tracing = true;\n',
  });
  fixture.addServices([{ name: 'gamma', team: 'catalog', port: 3102 }], commits.revision3);
  fixture.repo.write({
    'services/alpha/README.md': fixture.read('services/alpha/README.md')!.replace('(default info)', '(default debug)'),
    'services/beta/src/chassis/logger.ts': fixture.read('services/beta/src/chassis/logger.ts')!.replace('json', 'text'),
  });
  commits.head = fixture.repo.commit('alpha: README; beta: a hand edit of the chassis');
});
afterAll(() => fixture.repo.dispose());

async function outdated(argv: string[], root = fixture.repo.root) {
  const { code, stdout: out, stderr: err } = await runCaptured(main, argv, root);
  return { code, out, err };
}

const dateOf = (commit: string) => fixture.repo.git('log', '-1', '--format=%cI', commit).trim();

describe('npm run outdated', () => {
  it('--json: per service its team, recorded commit and date, commits behind, drift and what an upgrade changes', async () => {
    const { code, out, err } = await outdated(['--json']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const report = JSON.parse(out) as OutdatedReport;
    const recorded = (service: string, team: string, commit: string) => ({
      service,
      team,
      folder: `services/${service}`,
      template: 'service',
      commit,
      date: dateOf(commit),
    });
    expect(report).toEqual({
      head: commits.head,
      services: [
        {
          ...recorded('alpha', 'catalog', commits.revision1),
          behind: 2,
          drift: { clean: true, findings: [] },
          upgrade: {
            platformFiles: [
              { path: 'src/chassis/logger.ts', kind: 'replaced' },
              { path: 'src/chassis/tracing.ts', kind: 'added' },
              { path: 'src/chassis/legacy.ts', kind: 'removed' },
            ],
          },
        },
        {
          ...recorded('beta', 'fulfilment', commits.revision1),
          behind: 2,
          drift: { clean: false, findings: [{ file: 'src/chassis/logger.ts', problem: 'modified', line: 3 }] },
          upgrade: { refused: 'drift in 1 platform-owned file (`npm run drift -- beta`)' },
        },
        {
          ...recorded('gamma', 'catalog', commits.revision3),
          behind: 0,
          drift: { clean: true, findings: [] },
          upgrade: { platformFiles: [] },
        },
      ],
    });
  });

  it('lists the platform-owned changes the upgrade generator itself plans for each service', async () => {
    const report = JSON.parse((await outdated(['--json'])).out) as OutdatedReport;
    const tree = fixture.tree();
    const run = new UpgradeRun(tree, commits.head);
    try {
      for (const service of listServices(tree)) {
        const provenancePath = `${service.root}/template-provenance.json`;
        const provenance = readJson<UpgradeTarget['provenance']>(tree, provenancePath);
        const outcome = run.plan({ service, provenancePath, provenance });
        const planned =
          outcome.kind === 'refused'
            ? 'refused'
            : outcome.kind === 'up-to-date'
              ? []
              : outcome.upgrade.plan.changes
                  .filter((change) => !isTeamOwned(change.path, TEAM_OWNED))
                  .map(({ path, kind }) => ({ path, kind }));
        const status = report.services.find((candidate) => candidate.service === service.name);
        const reported =
          status && 'upgrade' in status
            ? 'refused' in status.upgrade
              ? 'refused'
              : status.upgrade.platformFiles
            : undefined;
        expect({ service: service.name, reported }).toEqual({ service: service.name, reported: planned });
      }
    } finally {
      run.dispose();
    }
  });

  it('prints a table by default, then how many services are behind and the command that upgrades them', async () => {
    const { code, out } = await outdated([]);
    expect(code).toBe(0);
    const [r1, r3] = [commits.revision1, commits.revision3].map(
      (commit) => `${commit.slice(0, 7)} ${dateOf(commit).slice(0, 10)}`,
    );
    expect(out).toBe(
      [
        'service  team        template commit     behind  drift  an upgrade would change',
        `alpha    catalog     ${r1}  2       clean  src/chassis/logger.ts, src/chassis/tracing.ts (added), src/chassis/legacy.ts (removed)`,
        `beta     fulfilment  ${r1}  2       DRIFT  refused: drift in 1 platform-owned file (\`npm run drift -- beta\`)`,
        `gamma    catalog     ${r3}  0       clean  —`,
        '',
        `2 of 3 services behind the template at HEAD (${commits.head.slice(0, 7)}): \`npx nx g @musiccorp/generators:upgrade <service>\` (or --team=<id>, --all) upgrades them.`,
        '',
      ].join('\n'),
    );
  });

  it('--fail-behind=N exits 1 only when a service is more than N template commits behind, naming them', async () => {
    const failing = await outdated(['--fail-behind=1']);
    expect(failing.code).toBe(1);
    expect(failing.err).toBe(
      'outdated: 2 services are more than 1 template commit behind: alpha (2), beta (2). Upgrade each (`npx nx g @musiccorp/generators:upgrade <service>`, or `npx nx g @musiccorp/generators:upgrade --all`).\n',
    );
    expect(await outdated(['--fail-behind', '2'])).toMatchObject({ code: 0, err: '' });
    const json = await outdated(['--json', '--fail-behind=0']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.out) as OutdatedReport).services).toHaveLength(3);
  });

  it('reports a service it cannot read with the fix, and still exits 0', async () => {
    fixture.repo.remove('services/gamma/template-provenance.json');
    try {
      const { code, out } = await outdated([]);
      expect(code).toBe(0);
      expect(out).toContain(
        'gamma    catalog     cannot read: services/gamma/template-provenance.json is missing: it was not generated by the platform, or the file was deleted. Restore it from git (`git log --oneline -- services/gamma/template-provenance.json`).\n',
      );
      expect(out).toContain('1 service could not be read; the fix is in its row.\n');
    } finally {
      fixture.repo.git('checkout', '--', 'services/gamma');
    }
  });

  it('refuses bad arguments with exit 2 and the usage', async () => {
    for (const [argv, message] of [
      [['--fail-behind=soon'], '--fail-behind takes a number of template commits, 0 or more (got "soon")'],
      [['--fail-behind=-1'], '--fail-behind takes a number of template commits, 0 or more (got "-1")'],
      [['--fail-behind'], '--fail-behind needs a value'],
      [['--fail-behnd=2'], "Unknown option '--fail-behnd'. Did you mean --fail-behind?"],
      [['catalog'], 'Expected no arguments, got 1: catalog.'],
    ] as const) {
      const { code, out, err } = await outdated([...argv]);
      expect({ argv, code, out }).toEqual({ argv, code: 2, out: '' });
      expect(err).toContain(`outdated: ${message}`);
      expect(err).toContain('Usage: npm run outdated -- [--json] [--fail-behind=<N>]');
    }
  });

  it('outside a git repository: exit 2, naming what it needs', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'outdated-'));
    try {
      const { code, err } = await outdated([], empty);
      expect(code).toBe(2);
      expect(err).toContain(`outdated: cannot read the history of ${empty}:`);
      expect(err).toContain('Run it in a git checkout of a workspace the platform made, with at least one commit.');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
