import { afterEach, describe, expect, it } from 'vitest';
import { createGitRepo, teamsJson, type GitRepo } from '@musiccorp/core/testing/git-repo';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from './command';
import { escapeData, escapeProperty } from './format';

let repo: GitRepo;
afterEach(() => repo?.dispose());

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const project = (name: string, team: string) => json({ name, tags: ['type:service', `team:${team}`] });

/** catalog's HTTP contract: GET /items answers `properties` (all required). */
function catalogApi(version: string, properties: Record<string, unknown>, paths: Record<string, unknown> = {}) {
  return json({
    openapi: '3.0.3',
    info: { title: 'catalog', version },
    paths: {
      '/items': {
        get: {
          responses: {
            '200': {
              description: 'the items',
              content: {
                'application/json': {
                  schema: { type: 'object', required: Object.keys(properties), properties },
                },
              },
            },
          },
        },
      },
      ...paths,
    },
  });
}
const ITEM = { sku: { type: 'string' }, price: { type: 'number' } };
const CATALOG_API = 'services/catalog/contract/openapi.json';

/**
 * catalog (team catalog) publishes an HTTP contract; order-processor (fulfilment) and payment (finance) call it;
 * payment has no contract. main is the base; the tests change the working tree or commit on a branch.
 */
function workspace(): GitRepo {
  repo = createGitRepo(
    {
      'nx.json': json({ defaultBase: 'main' }),
      'platform/teams.json': teamsJson(['catalog', 'fulfilment', 'finance']),
      'services/catalog/project.json': project('catalog', 'catalog'),
      [CATALOG_API]: catalogApi('1.0.0', ITEM),
      'services/order-processor/project.json': project('order-processor', 'fulfilment'),
      'services/order-processor/consumes.json': json({ http: ['catalog'], events: [] }),
      'services/payment/project.json': project('payment', 'finance'),
      'services/payment/consumes.json': json({ http: ['catalog'] }),
    },
    'contract-check-',
  );
  repo.commit('base');
  return repo;
}

const run = (...argv: string[]) => runCaptured(main, ['check', `--repo=${repo.root}`, ...argv]);
const sha7 = (ref: string) => repo.git('rev-parse', '--short=7', ref).trim();

describe('contract check', () => {
  it('says what it compared and which services it checked when no contract changed (exit 0)', async () => {
    workspace();
    const { code, stdout } = await run('--base=main');
    expect(code).toBe(0);
    expect(stdout).toContain(`Contracts: base main (--base: ${sha7('main')}) → working tree.`);
    expect(stdout).toContain('Checked 3 services: catalog, order-processor, payment.');
    expect(stdout).toContain(`No contract changed between ${sha7('main')} and working tree.`);
    // Nothing compared is said, never passed off as "no breaking change".
    expect(stdout).toContain(
      'No committed contract at the head, nothing to compare: order-processor, payment (`npx nx sync` writes services/<name>/contract/).',
    );
  });

  it('a breaking change without a new major fails (exit 1), with the rule, the line of explanation and the fix', async () => {
    workspace();
    repo.write({ [CATALOG_API]: catalogApi('1.1.0', { sku: ITEM.sku }, { '/health': { get: { responses: {} } } }) });
    const { code, stdout } = await run('--base=main');
    expect(code).toBe(1);
    expect(stdout).toContain(
      `catalog: openapi.json base ${sha7('main')} → working tree: 1 breaking, 1 non-breaking; version 1.0.0 → 1.1.0 — FAIL`,
    );
    expect(stdout).toMatch(/\n {2}breaking {6}response-property-removed {2}GET \/items.*price.*\n/);
    expect(stdout).toMatch(/\n {2}non-breaking {2}path-added {17}\/health: new path \/health/);
    expect(stdout).toContain(
      '✖ 1 breaking change, and info.version 1.0.0 → 1.1.0 keeps major 1. Fix: raise apiVersion in ' +
        'services/catalog/src/routes/index.ts to the next major (2.0.0), then `npx nx sync`; or keep the old shape',
    );
    expect(stdout).toContain('✖ contract check failed: 1 contract fails the version rule.');
    expect(stdout).toContain('Unchanged contracts: order-processor, payment.');
  });

  it('a breaking change with a new major passes (exit 0) and lists the consumers that must move, with their teams', async () => {
    workspace();
    repo.write({ [CATALOG_API]: catalogApi('2.0.0', { sku: ITEM.sku }) });
    const { code, stdout } = await run('--base=main');
    expect(code).toBe(0);
    expect(stdout).toContain('1 breaking, 0 non-breaking; version 1.0.0 → 2.0.0 — ok');
    expect(stdout).toContain(
      'Consumers that must move (major 1.0.0 → 2.0.0): order-processor (@musiccorp/fulfilment); payment (@musiccorp/finance).',
    );
    expect(stdout).toContain('✔ contract check passed');
  });

  it('non-breaking changes pass; a new contract is non-breaking and says so', async () => {
    workspace();
    repo.write({
      [CATALOG_API]: catalogApi('1.1.0', ITEM, { '/health': { get: { responses: {} } } }),
      'services/payment/contract/openapi.json': catalogApi('1.0.0', ITEM).replace('"catalog"', '"payment"'),
    });
    const { code, stdout } = await run('--base=main');
    expect(code).toBe(0);
    expect(stdout).toContain('catalog: openapi.json base');
    expect(stdout).toContain('0 breaking, 1 non-breaking; version 1.0.0 → 1.1.0 — ok');
    expect(stdout).toContain(
      `payment: openapi.json base ${sha7('main')} → working tree: new contract (none at the base): non-breaking — ok`,
    );
    expect(stdout).toContain(
      "contract-added  services/payment/contract/openapi.json: a new contract (none at the base): no consumer depends on payment's HTTP API yet",
    );
  });

  it('an events contract: its consumers are the services that consume one of its event types', async () => {
    workspace();
    /** order-processor's events: each type's data is an object with an `id`. */
    const orderEvents = (version: string, ...types: string[]) =>
      json({
        asyncapi: '3.0.0',
        info: { title: 'order-processor', version },
        channels: Object.fromEntries(
          types.map((type) => [
            type,
            {
              address: type,
              messages: { [type]: { name: type, payload: { type: 'object', properties: { id: { type: 'string' } } } } },
            },
          ]),
        ),
      });
    const events = 'services/order-processor/contract/events.json';
    repo.write({
      [events]: orderEvents('1.0.0', 'com.musiccorp.order.placed', 'com.musiccorp.order.shipped'),
      'services/payment/consumes.json': json({ http: ['catalog'], events: ['com.musiccorp.order.placed'] }),
    });
    repo.commit('order events');
    repo.write({ [events]: orderEvents('2.0.0', 'com.musiccorp.order.shipped') });
    const { code, stdout } = await run('--base=HEAD');
    expect(code).toBe(0);
    expect(stdout).toContain('order-processor: events.json base');
    expect(stdout).toMatch(/ {2}breaking {6}event-removed {2}event com\.musiccorp\.order\.placed: /);
    expect(stdout).toContain(
      'Consumers that must move (major 1.0.0 → 2.0.0): payment (@musiccorp/finance): com.musiccorp.order.placed.',
    );
    repo.write({ [events]: orderEvents('1.1.0', 'com.musiccorp.order.shipped') });
    const { code: failed, stdout: fix } = await run('--base=HEAD');
    expect(failed).toBe(1);
    expect(fix).toContain(
      'Fix: raise eventsVersion in services/order-processor/src/events/index.ts to the next major (2.0.0)',
    );
  });

  it('a lower version fails; a removed contract fails while a service still consumes it', async () => {
    workspace();
    repo.write({ [CATALOG_API]: catalogApi('0.9.0', ITEM) });
    const lowered = await run('--base=main');
    expect(lowered.code).toBe(1);
    expect(lowered.stdout).toContain(
      '✖ info.version went down (1.0.0 → 0.9.0): versions only go up. Fix: set apiVersion in services/catalog/src/routes/index.ts to 1.0.0 or higher',
    );

    repo.remove(CATALOG_API);
    const removed = await run('--base=main');
    expect(removed.code).toBe(1);
    expect(removed.stdout).toContain('removed (none at the head): breaking — FAIL');
    expect(removed.stdout).toContain(
      "✖ services/catalog/contract/openapi.json was removed while order-processor (@musiccorp/fulfilment), payment (@musiccorp/finance) still consume catalog's HTTP API.",
    );
  });

  it('compares with the merge base: a change made on main since the branch point is not this branch’s', async () => {
    workspace();
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ 'services/payment/README.md': 'feature work\n' });
    const branchPoint = repo.commit('feature');
    repo.git('checkout', '-q', 'main');
    repo.write({ [CATALOG_API]: catalogApi('1.0.0', { sku: ITEM.sku }) }); // breaking, but on main
    repo.commit('main moves on');
    repo.git('checkout', '-q', 'feature');
    const { code, stdout } = await runCaptured(main, ['check', `--repo=${repo.root}`]);
    expect(code).toBe(0);
    // No --base: nx.json's defaultBase, and it says so.
    expect(stdout).toContain(
      `Contracts: base main (nx.json defaultBase: ${sha7('main')}, merge base with the head ${sha7(`${branchPoint}~1`)}) → working tree.`,
    );
    expect(stdout).toContain('No contract changed');
  });

  it('--head compares two commits and leaves the working tree out; CONTRACT_BASE is the base when --base is not given', async () => {
    workspace();
    repo.git('checkout', '-q', '-b', 'feature');
    repo.write({ [CATALOG_API]: catalogApi('1.0.0', { sku: ITEM.sku }) });
    repo.commit('breaking');
    repo.write({ [CATALOG_API]: catalogApi('2.0.0', { sku: ITEM.sku }) }); // uncommitted: not in --head=HEAD
    const { code, stdout } = await runCaptured(
      (argv, out, err) => main(argv, out, err, { CONTRACT_BASE: 'main' }),
      ['check', `--repo=${repo.root}`, '--head=HEAD'],
    );
    expect(code).toBe(1);
    expect(stdout).toContain(`Contracts: base main (CONTRACT_BASE: ${sha7('main')}) → HEAD (${sha7('HEAD')}).`);
    expect(stdout).toContain(`catalog: openapi.json base ${sha7('main')} → HEAD (${sha7('HEAD')}): 1 breaking`);
  });

  it('--service limits the check to a service, and reports the changed contracts it consumes', async () => {
    workspace();
    repo.write({ [CATALOG_API]: catalogApi('2.0.0', { sku: ITEM.sku }) });
    const { code, stdout } = await run('--base=main', '--service=order-processor');
    expect(code).toBe(0);
    expect(stdout).toContain('Checked 1 service: order-processor.');
    expect(stdout).not.toContain('catalog: openapi.json');
    expect(stdout).toContain(
      "order-processor consumes catalog's HTTP API, which changed: 1.0.0 → 2.0.0, 1 breaking, 0 non-breaking: move order-processor to the new shape.",
    );
    const unknown = await run('--base=main', '--service=catalgo');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'contract: --service=catalgo: not a service of this workspace. Fix: use one of catalog, order-processor, payment.',
    );
  });

  it('--json: one document of the documented shape', async () => {
    workspace();
    repo.write({ [CATALOG_API]: catalogApi('2.0.0', { sku: ITEM.sku }) });
    const { code, stdout } = await run('--base=main', '--json');
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(Object.keys(document)).toEqual([
      'ok',
      'base',
      'head',
      'services',
      'withoutContract',
      'contracts',
      'consumed',
      'declared',
      'warnings',
    ]);
    expect(document.base).toEqual({
      ref: 'main',
      source: '--base',
      commit: repo.git('rev-parse', 'main').trim(),
      mergeBase: repo.git('rev-parse', 'main').trim(),
    });
    expect(document.head).toEqual({ ref: 'working tree', commit: null });
    expect(document.contracts).toEqual([
      {
        service: 'catalog',
        kind: 'http',
        file: CATALOG_API,
        status: 'changed',
        baseVersion: '1.0.0',
        headVersion: '2.0.0',
        majorRaised: true,
        breaking: 1,
        nonBreaking: 0,
        ok: true,
        problem: null,
        changes: [expect.objectContaining({ rule: 'response-property-removed', verdict: 'breaking' })],
        consumers: [
          { service: 'order-processor', team: { id: 'fulfilment', handle: '@musiccorp/fulfilment' }, uses: ['http'] },
          { service: 'payment', team: { id: 'finance', handle: '@musiccorp/finance' }, uses: ['http'] },
        ],
      },
    ]);
    expect(document.declared).toBeNull();
  });

  it('--format=github: workflow commands per change, ::error when the gate fails, and the log lines', async () => {
    workspace();
    repo.write({ [CATALOG_API]: catalogApi('1.0.0', { sku: ITEM.sku }, { '/health': { get: { responses: {} } } }) });
    const { code, stdout } = await run('--base=main', '--format=github');
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Contracts: base main (--base: ${sha7('main')}) → working tree.`);
    const commands = lines.filter((line) => line.startsWith('::'));
    expect(commands).toHaveLength(3);
    expect(commands[0]).toMatch(
      /^::error file=services\/catalog\/contract\/openapi.json,title=response-property-removed::catalog: GET \/items.*price/,
    );
    expect(commands[1]).toMatch(
      /^::notice file=services\/catalog\/contract\/openapi.json,title=path-added::catalog: \/health: new path/,
    );
    expect(commands[2]).toMatch(
      /^::error file=services\/catalog\/contract\/openapi.json,title=contract version rule::catalog: 1 breaking change/,
    );
    for (const command of commands) expect(command).not.toMatch(/[\r\n]/);
    expect(lines.at(-1)).toBe('✖ contract check failed: 1 contract fails the version rule.');
  });

  it('escapes workflow command data and properties as the runner decodes them', () => {
    expect(escapeData('50% of a\r\nb: c, d')).toBe('50%25 of a%0D%0Ab: c, d');
    expect(escapeProperty('a:b,c%\n')).toBe('a%3Ab%2Cc%25%0A');
  });

  it('a ref git cannot resolve: exit 2, and the fix', async () => {
    workspace();
    const { code, stdout, stderr } = await run('--base=origin/nope');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('contract: --base=origin/nope is not a commit in this clone. Fix: fetch it');
  });

  it('an invalid contract file: exit 2, naming the file, the side and the fix', async () => {
    workspace();
    repo.write({ [CATALOG_API]: '{ "openapi": "3.0.3", \n' });
    const notJson = await run('--base=main');
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(
      /^contract: services\/catalog\/contract\/openapi.json at the head \(working tree\) is not valid JSON \(.*\)\. Fix: regenerate it from the code with `npx nx sync`/,
    );

    repo.write({ [CATALOG_API]: catalogApi('one', ITEM) });
    const badVersion = await run('--base=main');
    expect(badVersion.code).toBe(2);
    expect(badVersion.stderr).toContain('services/catalog/contract/openapi.json at the head (working tree): ');
    expect(badVersion.stderr).toContain('info.version "one" is not semver x.y.z');
  });

  it('--declared: a service whose code cannot be described fails (exit 1), saying why and how to fix it', async () => {
    workspace();
    const { code, stdout } = await run('--base=main', '--service=catalog', '--declared');
    expect(code).toBe(1);
    expect(stdout).toContain(
      '✖ services/catalog/contract/openapi.json is not checked: the code could not be described: ' +
        'services/catalog/src/chassis/contract.ts is missing: its chassis predates contracts. ' +
        'Upgrade it: npx nx g @musiccorp/generators:upgrade catalog.',
    );
    expect(stdout).toContain('✖ contract check failed: 2 contract files not what the code declares.');
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit('feature');
    const elsewhere = await run('--base=main', '--head=main', '--declared');
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain(
      'contract: --declared checks the code on disk, but --head=main is not the checked-out commit.',
    );
  });

  it('refuses bad command lines (exit 2)', async () => {
    workspace();
    expect((await run('--json', '--format=github')).stderr).toContain('--json and --format=github are two outputs');
    expect((await run('--format=sarif')).stderr).toContain('--format=sarif is not a format');
    expect((await runCaptured(main, ['verify'])).stderr).toContain('unknown command "verify": use check.');
  });
});
