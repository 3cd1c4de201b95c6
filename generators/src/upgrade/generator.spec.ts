import { execFileSync } from 'node:child_process';
import { logger } from '@nx/devkit';
import { flushChanges } from 'nx/src/generators/tree';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROVENANCE_FILE, type Provenance } from '@musiccorp/core/provenance';
import { upgradeGenerator } from './generator';
import type { UpgradeGeneratorSchema } from './schema';
import { createFixture, REVISION_1, type Fixture } from './testing';
import { checkDrift } from '../drift/drift';
import { pendingChanges } from '../utils/testing';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const README_1 = REVISION_1['README.md.hbs']!;

/** Revision 2: a chassis change, a README hunk, a file added, two removed, one renamed, a team-owned file added. */
const REVISION_2 = {
  'src/chassis/logger.ts': lines(
    '// logger, revision 2',
    'export const level = "info";',
    'export const format = "json";',
  ),
  'README.md.hbs': README_1.replace('- GET /health/ready', '- GET /health/ready (runs the readiness checks)'),
  'src/chassis/added.ts': lines('export const added = true;'),
  'src/chassis/legacy.ts': null,
  'src/routes/obsolete.ts': null,
  'notes/old-name.md': null,
  'notes/new-name.md': REVISION_1['notes/old-name.md']!.replace('Line six', 'Line 6'),
  'src/routes/index.ts': REVISION_1['src/routes/index.ts']!.replace(
    '// second section',
    '// second section, revision 2',
  ),
  'src/routes/health.ts': lines('export const health = "template";'),
};

/** Revision 3: the chassis again, a new answer with a default (tier), an answer dropped (description), version 1.1.0. */
const REVISION_3 = {
  'src/chassis/logger.ts': lines(
    '// logger, revision 3',
    'export const level = "info";',
    'export const format = "ndjson";',
  ),
  'README.md.hbs': REVISION_2['README.md.hbs']
    .replace('{{description}}\n\n', '')
    .replace('Owner: {{teamHandle}}', 'Owner: {{teamHandle}}, tier {{tier}}'),
};
const PLATFORM_3 = {
  'tools/core/package.json': JSON.stringify({ name: '@musiccorp/core', version: '1.1.0' }),
  'generators/src/service/schema.json': JSON.stringify({
    properties: { name: {}, team: {}, port: {}, tier: { type: 'string', default: 'standard' } },
  }),
};

type Revisions = Record<'r1' | 'r2' | 'r3', string>;
let fixture: Fixture & { commits: Revisions };
let commits: Revisions;
const short = (sha: string) => sha.slice(0, 7);
const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
const printed = () => info.mock.calls.map(([text]) => String(text)).join('\n');
beforeEach(() => {
  info.mockClear();
  warn.mockClear();
});

/** The fixture: services rendered at revision 1, edited by their teams, then revisions 2 and 3 of the template. */
function buildFixture(): Fixture & { commits: Revisions } {
  const built = createFixture();
  const r1 = built.repo.git('rev-parse', 'HEAD').trim();
  built.addServices(
    [
      { name: 'alpha', team: 'catalog', port: 3100 },
      { name: 'beta', team: 'fulfilment', port: 3101 },
      { name: 'gamma', team: 'catalog', port: 3102 },
    ],
    r1,
  );
  const edit = (path: string, change: (text: string) => string) =>
    built.repo.write({ [path]: change(built.read(path)!) });
  // alpha: edits in other hunks than the template's, and a change to a file the template will remove.
  edit('services/alpha/README.md', (text) => text.replace('- LOG_LEVEL (default info)', '- LOG_LEVEL (default warn)'));
  edit('services/alpha/notes/old-name.md', (text) => text.replace('Line one', 'Line ONE'));
  edit('services/alpha/src/routes/index.ts', (text) =>
    text.replace('export const first = 1;', 'export const first = 10;'),
  );
  edit('services/alpha/src/routes/obsolete.ts', (text) => `${text}export const stillUsed = true;\n`);
  // beta: the same README line the template changes, and a file where the template will add one.
  edit('services/beta/README.md', (text) =>
    text.replace('- GET /health/ready', '- GET /health/ready (503 while starting)'),
  );
  built.repo.write({ 'services/beta/src/routes/health.ts': lines('export const health = "beta\'s own";') });
  // gamma: deletes a team-owned file the template will change.
  built.repo.remove('services/gamma/src/routes/index.ts');
  built.repo.commit('teams edit their services');
  const r2 = built.reviseTemplate('templates/service: revision 2', REVISION_2);
  const r3 = built.reviseTemplate('templates/service: revision 3', REVISION_3, PLATFORM_3);
  return { ...built, commits: { r1, r2, r3 } };
}

beforeAll(() => {
  fixture = buildFixture();
  commits = fixture.commits;
});
afterAll(() => fixture.repo.dispose());

/** Runs the generator on a fresh Tree over the fixture; nothing reaches the disk unless `flush`. */
async function upgrade(schema: UpgradeGeneratorSchema, flush = false) {
  const tree = fixture.tree();
  const callback = await upgradeGenerator(tree, schema);
  if (flush) {
    flushChanges(fixture.repo.root, tree.listChanges());
    await callback();
  }
  const file = (path: string) => tree.read(path, 'utf-8');
  return { tree, file, callback };
}

describe('upgrade across several template revisions', () => {
  it('replaces platform-owned files, merges team-owned ones, follows added, removed and renamed files', async () => {
    const { tree, file } = await upgrade({ service: 'alpha' });
    expect(file('services/alpha/src/chassis/logger.ts')).toBe(REVISION_3['src/chassis/logger.ts']);
    expect(file('services/alpha/src/chassis/added.ts')).toBe(REVISION_2['src/chassis/added.ts']);
    expect(tree.exists('services/alpha/src/chassis/legacy.ts')).toBe(false);
    // Team edit and template edit in different hunks: both kept.
    const readme = file('services/alpha/README.md')!;
    expect(readme).toContain('- LOG_LEVEL (default warn)');
    expect(readme).toContain('- GET /health/ready (runs the readiness checks)');
    expect(readme).toContain('Owner: @musiccorp/catalog, tier standard');
    expect(readme).not.toContain('The alpha service.');
    expect(file('services/alpha/src/routes/index.ts')).toContain('export const first = 10;');
    expect(file('services/alpha/src/routes/index.ts')).toContain('// second section, revision 2');
    // Renamed by the template: the team's edit moves with it.
    expect(tree.exists('services/alpha/notes/old-name.md')).toBe(false);
    expect(file('services/alpha/notes/new-name.md')).toContain('Line ONE of the notes.');
    expect(file('services/alpha/notes/new-name.md')).toContain('Line 6 of the notes.');
    // Removed by the template, but changed by the team: kept.
    expect(file('services/alpha/src/routes/obsolete.ts')).toContain('stillUsed');
    expect(file('services/alpha/src/routes/health.ts')).toBe(REVISION_2['src/routes/health.ts']);

    const provenance = JSON.parse(file(`services/alpha/${PROVENANCE_FILE}`)!) as Provenance;
    expect(provenance).toEqual({
      template: 'service',
      platformVersion: '1.1.0',
      platformCommit: commits.r3,
      templatesModified: false,
      answers: { name: 'alpha', team: 'catalog', teamHandle: '@musiccorp/catalog', port: 3100, tier: 'standard' },
    });

    const report = printed();
    expect(report).toContain(`alpha: template ${short(commits.r1)}..${short(commits.r3)}, 2 template commits:`);
    expect(report).toContain(`${short(commits.r3)} templates/service: revision 3`);
    expect(report).toContain(`${short(commits.r2)} templates/service: revision 2`);
    expect(report).toMatch(/replaced +1 {2}src\/chassis\/logger\.ts\n/);
    expect(report).toMatch(
      /merged +3 {2}README\.md, notes\/old-name\.md → notes\/new-name\.md, src\/routes\/index\.ts/,
    );
    expect(report).toMatch(/conflicted +0\n/);
    expect(report).toMatch(/added +2 {2}src\/chassis\/added\.ts, src\/routes\/health\.ts/);
    expect(report).toMatch(/removed +1 {2}src\/chassis\/legacy\.ts/);
    expect(report).toContain('kept: src/routes/obsolete.ts');
    expect(report).toContain('new answers (their defaults): tier');
    expect(report).toContain('answers the template no longer reads, dropped: description');
  });

  it('leaves the drift check clean against the commit it recorded', async () => {
    const own = buildFixture();
    try {
      const tree = own.tree();
      await upgradeGenerator(tree, { service: 'alpha' });
      flushChanges(own.repo.root, tree.listChanges());
      expect(checkDrift(own.repo.root, 'services/alpha')).toMatchObject({
        comparedWith: `templates/ at ${own.commits.r3.slice(0, 12)}`,
        findings: [],
      });
    } finally {
      own.repo.dispose();
    }
  });

  it('writes a conflict with git markers labelled with the service and both template commits', async () => {
    const { file } = await upgrade({ service: 'beta' });
    const readme = file('services/beta/README.md')!;
    expect(readme).toContain(
      [
        `<<<<<<< beta (yours, on template ${short(commits.r1)})`,
        '- GET /health/ready (503 while starting)',
        '=======',
        '- GET /health/ready (runs the readiness checks)',
        `>>>>>>> template ${short(commits.r3)}`,
      ].join('\n'),
    );
    // The template added a file where the team already had one: a conflict, not an overwrite.
    const health = file('services/beta/src/routes/health.ts')!;
    expect(health).toContain('export const health = "beta\'s own";');
    expect(health).toContain('export const health = "template";');
    expect(health).toMatch(/^<<<<<<< beta/m);
    const report = printed();
    expect(report).toMatch(/conflicted +2 {2}README\.md, src\/routes\/health\.ts/);
    expect(report).toContain('services/beta/README.md\n  services/beta/src/routes/health.ts');
    expect(report).toContain('`npx nx lint <service>` fails until no marker is left');
  });

  it('does not recreate a team-owned file the team deleted', async () => {
    const { tree } = await upgrade({ service: 'gamma' });
    expect(tree.exists('services/gamma/src/routes/index.ts')).toBe(false);
    expect(printed()).toContain('not recreated: src/routes/index.ts');
  });

  it('goes one revision at a time too, and then the next', async () => {
    const { file } = await upgrade({ service: 'alpha', to: commits.r2 });
    expect(file('services/alpha/src/chassis/logger.ts')).toBe(REVISION_2['src/chassis/logger.ts']);
    expect(JSON.parse(file(`services/alpha/${PROVENANCE_FILE}`)!)).toMatchObject({
      platformCommit: commits.r2,
      platformVersion: '1.0.0',
    });
    expect(printed()).toContain(`alpha: template ${short(commits.r1)}..${short(commits.r2)}, 1 template commit:`);
  });

  it('--team and --all plan every selected service', async () => {
    const { tree } = await upgrade({ team: 'catalog' });
    const changed = new Set(tree.listChanges().map((change) => change.path.split('/').slice(0, 2).join('/')));
    expect([...changed].filter((path) => path.startsWith('services/')).sort()).toEqual([
      'services/alpha',
      'services/gamma',
    ]);
    info.mockClear();
    await upgrade({ all: true });
    expect(printed()).toContain('Upgraded 3 services (1 with conflicts), 0 already up to date, 0 refused.');
  });
});

describe('refusals', () => {
  it('refuses a drifted service: names the hand-edited files and the fix, writes nothing', async () => {
    const path = 'services/gamma/src/chassis/logger.ts';
    const original = fixture.read(path)!;
    fixture.repo.write({ [path]: `${original}// patched by hand\n` });
    fixture.repo.commit('hand edit');
    try {
      const tree = fixture.tree();
      await expect(upgradeGenerator(tree, { service: 'gamma' })).rejects.toThrow(
        /gamma is not upgraded[^]*drift\): src\/chassis\/logger\.ts \(line 4\)[^]*npm run drift -- gamma/,
      );
      expect(pendingChanges(tree)).toEqual([]);

      // In a run over many services, the others are upgraded, and the run fails once they are written.
      const many = fixture.tree();
      const callback = await upgradeGenerator(many, { all: true });
      expect(many.listChanges().some((change) => change.path.startsWith('services/gamma/'))).toBe(false);
      expect(many.listChanges().some((change) => change.path.startsWith('services/alpha/'))).toBe(true);
      expect(printed()).toContain('Refused (nothing written for it):\n  gamma is not upgraded');
      await expect(callback()).rejects.toThrow(/1 service was refused \(gamma\); the others were upgraded/);
    } finally {
      fixture.repo.write({ [path]: original });
      fixture.repo.commit('undo the hand edit');
    }
  });

  it('refuses a service whose folder has uncommitted changes, naming the files', async () => {
    fixture.repo.write({ 'services/alpha/src/routes/extra.ts': 'export {};\n' });
    try {
      const tree = fixture.tree();
      await expect(upgradeGenerator(tree, { service: 'alpha' })).rejects.toThrow(
        'services/alpha has uncommitted changes: services/alpha/src/routes/extra.ts.',
      );
      expect(pendingChanges(tree)).toEqual([]);
    } finally {
      fixture.repo.remove('services/alpha/src/routes/extra.ts');
    }
  });

  it('with --all, refuses by each recorded commit: newer than --to, on another branch, missing from this clone', async () => {
    const originals = Object.fromEntries(
      ['alpha', 'beta', 'gamma'].map((name) => [name, fixture.read(`services/${name}/${PROVENANCE_FILE}`)!]),
    );
    const record = (recorded: Record<string, string>, message: string) => {
      fixture.repo.write(
        Object.fromEntries(
          Object.entries(recorded).map(([name, commit]) => [
            `services/${name}/${PROVENANCE_FILE}`,
            originals[name]!.replace(commits.r1, commit),
          ]),
        ),
      );
      fixture.repo.commit(message);
    };
    // a commit beside r2, not in it: rendered on another branch
    const side = fixture.repo.git('commit-tree', `${commits.r1}^{tree}`, '-p', commits.r1, '-m', 'side').trim();
    const missing = 'f'.repeat(40);
    try {
      // alpha and gamma record the same commit: each is refused in its own name
      record({ alpha: commits.r3, beta: side, gamma: commits.r3 }, 'recorded at r3 and on a side branch');
      const refused = upgradeGenerator(fixture.tree(), { all: true, to: commits.r2 });
      for (const name of ['alpha', 'gamma'])
        await expect(refused).rejects.toThrow(
          `--to=${commits.r2} (${short(commits.r2)}) is older than ${short(commits.r3)}, the commit ${name} was rendered at: an upgrade never goes back.`,
        );
      await expect(refused).rejects.toThrow(
        `--to=${commits.r2} (${short(commits.r2)}) does not contain ${short(side)}, the commit beta was rendered at (another branch?).`,
      );

      record({ alpha: missing, beta: commits.r1, gamma: missing }, 'recorded at a commit this clone lacks');
      const many = fixture.tree();
      const callback = await upgradeGenerator(many, { all: true });
      expect(many.listChanges().some((change) => change.path.startsWith('services/beta/'))).toBe(true);
      for (const name of ['alpha', 'gamma'])
        expect(printed()).toContain(
          `services/${name}/${PROVENANCE_FILE} records platform commit ${missing.slice(0, 12)}, which this repository does not have`,
        );
      await expect(callback()).rejects.toThrow(/2 services were refused \(alpha, gamma\)/);
    } finally {
      fixture.repo.write(
        Object.fromEntries(
          Object.entries(originals).map(([name, text]) => [`services/${name}/${PROVENANCE_FILE}`, text]),
        ),
      );
      fixture.repo.commit('provenance back at r1');
    }
  });

  it('refuses team-owned files the new template makes platform-owned while the team changed them', async () => {
    const repo = createFixture();
    try {
      const r1 = repo.repo.git('rev-parse', 'HEAD').trim();
      repo.addServices([{ name: 'alpha', team: 'catalog', port: 3100 }], r1);
      repo.repo.write({ 'services/alpha/README.md': `${repo.read('services/alpha/README.md')}Our own line.\n` });
      repo.repo.commit('team edit');
      repo.reviseTemplate('README becomes platform-owned', {
        'template.json': JSON.stringify({ name: 'service', teamOwned: ['src/routes/**', 'notes/**'] }),
      });
      const tree = repo.tree();
      await expect(upgradeGenerator(tree, { service: 'alpha' })).rejects.toThrow(
        /Team-owned files the team changed that the new template\.json makes platform-owned: README\.md\./,
      );
    } finally {
      repo.repo.dispose();
    }
  });

  const badInputs: Array<[string, UpgradeGeneratorSchema, RegExp | string, (f: Fixture) => void | (() => void)]> = [
    ['no service, --all or --team', {}, 'Name the service to upgrade, or pass --all or --team=<id>', () => undefined],
    [
      'a service and --all',
      { service: 'alpha', all: true },
      'Pass one of <service>, --all and --team',
      () => undefined,
    ],
    [
      'an unknown service',
      { service: 'omega' },
      'Unknown service "omega". Services: alpha, beta, gamma.',
      () => undefined,
    ],
    [
      'an unknown team',
      { team: 'nobody' },
      /Unknown team "nobody"\. Use one of: platform, catalog, fulfilment/,
      () => undefined,
    ],
    ['a team without services', { team: 'platform' }, 'Team platform owns no service', () => undefined],
    [
      'a ref git cannot resolve',
      { service: 'alpha', to: 'no-such-branch' },
      /--to=no-such-branch is not a commit in this clone/,
      () => undefined,
    ],
    [
      'a downgrade',
      { service: 'alpha', to: 'REVISION_2' },
      /is older than [0-9a-f]{7}, the commit alpha was rendered at: an upgrade never goes back/,
      (f) => {
        const path = `services/alpha/${PROVENANCE_FILE}`;
        const original = f.read(path)!;
        f.repo.git('tag', 'REVISION_2', commits.r2);
        f.repo.write({ [path]: original.replace(commits.r1, commits.r3) });
        f.repo.commit('alpha recorded at revision 3');
        return () => {
          f.repo.git('tag', '-d', 'REVISION_2');
          f.repo.write({ [path]: original });
          f.repo.commit('alpha back at revision 1');
        };
      },
    ],
    [
      'a service without provenance',
      { service: 'alpha' },
      /services\/alpha\/template-provenance\.json is missing: [^]*Restore it from git/,
      (f) => {
        const path = `services/alpha/${PROVENANCE_FILE}`;
        const original = f.read(path)!;
        f.repo.remove(path);
        f.repo.commit('provenance lost');
        return () => {
          f.repo.write({ [path]: original });
          f.repo.commit('provenance restored');
        };
      },
    ],
    [
      'provenance of uncommitted templates',
      { service: 'alpha' },
      /records "templatesModified": true — alpha was rendered while templates\/ had uncommitted changes[^]*a 3-way merge has no base/,
      (f) => {
        const path = `services/alpha/${PROVENANCE_FILE}`;
        const original = f.read(path)!;
        f.repo.write({ [path]: original.replace('"templatesModified": false', '"templatesModified": true') });
        f.repo.commit('rendered from a dirty tree');
        return () => {
          f.repo.write({ [path]: original });
          f.repo.commit('clean again');
        };
      },
    ],
  ];

  it.each(badInputs)(
    'bad input: %s — an error naming the fix, nothing written',
    async (_, schema, message, arrange) => {
      const undo = arrange(fixture);
      try {
        const tree = fixture.tree();
        await expect(upgradeGenerator(tree, schema)).rejects.toThrow(message);
        expect(pendingChanges(tree)).toEqual([]);
      } finally {
        undo?.();
      }
    },
  );
});

describe('--commit', () => {
  it('writes one commit per service, each touching that service folder only; a conflicted one is left to its team', async () => {
    const own = buildFixture();
    const env = { GIT_AUTHOR_NAME: 'Upgrade Test', GIT_AUTHOR_EMAIL: 'upgrade@musiccorp.example' };
    vi.stubEnv('GIT_AUTHOR_NAME', env.GIT_AUTHOR_NAME);
    vi.stubEnv('GIT_AUTHOR_EMAIL', env.GIT_AUTHOR_EMAIL);
    vi.stubEnv('GIT_COMMITTER_NAME', env.GIT_AUTHOR_NAME);
    vi.stubEnv('GIT_COMMITTER_EMAIL', env.GIT_AUTHOR_EMAIL);
    try {
      const before = own.repo.git('rev-parse', 'HEAD').trim();
      const tree = own.tree();
      const callback = await upgradeGenerator(tree, { all: true, commit: true });
      flushChanges(own.repo.root, tree.listChanges());
      await callback();

      const log = own.repo.git('log', '--format=%H', `${before}..HEAD`).split('\n').filter(Boolean).reverse();
      const touched = log.map((sha) => ({
        subject: own.repo.git('log', '-1', '--format=%s', sha).trim(),
        body: own.repo.git('log', '-1', '--format=%b', sha).trim(),
        folders: [
          ...new Set(
            own.repo
              .git('show', '--name-only', '--format=', sha)
              .split('\n')
              .filter(Boolean)
              .map((path) => path.split('/').slice(0, 2).join('/')),
          ),
        ],
      }));
      const range = `${short(own.commits.r1)}..${short(own.commits.r3)}`;
      expect(touched.filter((commit) => commit.subject.includes(': upgrade template'))).toEqual([
        {
          subject: `alpha: upgrade template ${range}`,
          body: `${short(own.commits.r3)} templates/service: revision 3\n${short(own.commits.r2)} templates/service: revision 2`,
          folders: ['services/alpha'],
        },
        {
          subject: `gamma: upgrade template ${range}`,
          body: `${short(own.commits.r3)} templates/service: revision 3\n${short(own.commits.r2)} templates/service: revision 2`,
          folders: ['services/gamma'],
        },
      ]);
      // Whatever else the run changed (CODEOWNERS) is a commit of its own, outside every service folder.
      for (const commit of touched.filter((c) => !c.subject.includes(': upgrade template')))
        expect(commit.folders.every((folder) => !folder.startsWith('services/'))).toBe(true);
      // beta has conflicts: written, not committed.
      expect(own.repo.git('status', '--porcelain', '--', 'services/beta')).toContain('services/beta/README.md');
      expect(warn.mock.calls.map(([text]) => String(text)).join('\n')).toContain(
        'not committed: beta has conflicts. Resolve them (`npx nx lint beta` passes), then: git add services/beta && git commit',
      );
    } finally {
      vi.unstubAllEnvs();
      own.repo.dispose();
    }
  });

  it('without --commit nothing is committed, and a second run finds the upgraded services up to date', async () => {
    const own = buildFixture();
    try {
      const head = own.repo.git('rev-parse', 'HEAD').trim();
      const tree = own.tree();
      await (
        await upgradeGenerator(tree, { service: 'alpha' })
      )();
      flushChanges(own.repo.root, tree.listChanges());
      expect(own.repo.git('rev-parse', 'HEAD').trim()).toBe(head);
      own.repo.commit('alpha upgraded');

      info.mockClear();
      const again = own.tree();
      await upgradeGenerator(again, { service: 'alpha' });
      expect(pendingChanges(again)).toEqual([]);
      expect(printed()).toContain('Upgraded 0 services, 1 already up to date, 0 refused.');
      expect(execFileSync('git', ['status', '--porcelain'], { cwd: own.repo.root, encoding: 'utf8' })).toBe('');
    } finally {
      own.repo.dispose();
    }
  });
});

describe('contracts', () => {
  /** A chassis contract module of the fixture's own: what the describer needs, without Fastify. */
  const CONTRACT_CHASSIS = lines(
    'export async function openApiDocument({ routes, apiVersion }: { routes: string[]; apiVersion: string }) {',
    "  return { openapi: '3.0.3', info: { title: 'fixture', version: apiVersion }, paths: Object.fromEntries(routes.map((path) => [path, {}])) };",
    '}',
    'export function eventsDocument() {',
    "  return { asyncapi: '3.0.0', channels: {} };",
    '}',
  );

  it("regenerates each upgraded service's contract in its own commit; a conflicted one keeps its files, with a warning", async () => {
    const own = createFixture();
    vi.stubEnv('GIT_AUTHOR_NAME', 'Upgrade Test');
    vi.stubEnv('GIT_AUTHOR_EMAIL', 'upgrade@musiccorp.example');
    vi.stubEnv('GIT_COMMITTER_NAME', 'Upgrade Test');
    vi.stubEnv('GIT_COMMITTER_EMAIL', 'upgrade@musiccorp.example');
    try {
      const r1 = own.repo.git('rev-parse', 'HEAD').trim();
      own.addServices(
        [
          { name: 'alpha', team: 'catalog', port: 3100 },
          { name: 'beta', team: 'fulfilment', port: 3101 },
        ],
        r1,
      );
      const readme = own.read('services/beta/README.md')!;
      own.repo.write({
        'services/beta/README.md': readme.replace('- GET /health/ready', '- GET /health/ready (ours)'),
      });
      own.repo.commit('beta edits its README');
      own.reviseTemplate('templates/service: contracts', {
        'src/chassis/contract.ts': CONTRACT_CHASSIS,
        'src/routes/index.ts': lines("export const apiVersion = '1.0.0';", "export const routes = ['/items'];"),
        'README.md.hbs': README_1.replace('- GET /health/ready', '- GET /health/ready (runs the checks)'),
      });

      const tree = own.tree();
      const callback = await upgradeGenerator(tree, { all: true, commit: true });
      flushChanges(own.repo.root, tree.listChanges());
      await callback();

      const alphaCommit = own.repo.git('log', '-1', '--format=%H', '--grep=^alpha: upgrade template').trim();
      const committed = own.repo.git('show', '--name-only', '--format=', alphaCommit).split('\n').filter(Boolean);
      expect(committed).toEqual(
        expect.arrayContaining(['services/alpha/contract/openapi.json', 'services/alpha/contract/events.json']),
      );
      expect(JSON.parse(own.read('services/alpha/contract/openapi.json')!)).toEqual({
        openapi: '3.0.3',
        info: { title: 'fixture', version: '1.0.0' },
        paths: { '/items': {} },
      });
      expect(printed()).toContain(
        '  contract   contract/openapi.json, contract/events.json — regenerated from the upgraded code',
      );
      expect(own.read('services/beta/contract/openapi.json')).toBeNull();
      expect(printed()).toContain('  warning: contract not regenerated: resolve the conflicts, then run `npx nx sync`');
    } finally {
      vi.unstubAllEnvs();
      own.repo.dispose();
    }
  });
});
