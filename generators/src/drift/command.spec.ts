import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../upgrade/testing';
import { runCaptured } from '@musiccorp/core/testing/run-captured';
import { main } from './command';

/** A workspace made by the platform (the upgrade specs' fixture): two services rendered from its template. */
let fixture: Fixture;
beforeAll(() => {
  fixture = createFixture();
  const rendered = fixture.repo.git('rev-parse', 'HEAD').trim();
  fixture.addServices(
    [
      { name: 'alpha', team: 'catalog', port: 3100 },
      { name: 'beta', team: 'fulfilment', port: 3101 },
    ],
    rendered,
  );
  // A team-owned edit is no drift.
  fixture.repo.write({ 'services/alpha/README.md': `${fixture.read('services/alpha/README.md')}More.\n` });
  fixture.repo.commit('alpha: README');
});
afterAll(() => fixture.repo.dispose());

async function drift(...argv: string[]) {
  const { code, stdout: out, stderr: err } = await runCaptured(main, argv, fixture.repo.root);
  return { code, out, err };
}

describe('npm run drift', () => {
  it('passes every service whose platform-owned files are as its recorded commit rendered them', async () => {
    const { code, out } = await drift();
    expect(code).toBe(0);
    const at = fixture.repo.git('log', '-1', '--format=%H', '--', 'templates').trim().slice(0, 12);
    expect(out).toBe(`alpha: no drift from templates/ at ${at}\nbeta: no drift from templates/ at ${at}\n`);
  });

  it('fails on a hand-edited or deleted platform-owned file, naming it and the fix; --json says the same', async () => {
    const logger = 'services/beta/src/chassis/logger.ts';
    const original = fixture.read(logger)!;
    fixture.repo.write({ [logger]: original.replace('"info"', '"debug"') });
    fixture.repo.remove('services/beta/src/chassis/legacy.ts');
    try {
      const { code, out, err } = await drift('beta');
      expect(code).toBe(1);
      expect(out).toContain('beta: DRIFT — 2 platform-owned files of services/beta no longer as templates/ at');
      expect(out).toContain('  src/chassis/legacy.ts (missing)\n  src/chassis/logger.ts (line 2)\n');
      expect(out).toContain('Undo the hand edit (`git log -p -- services/beta/<file>` finds it)');
      expect(err).toBe('drift: 1 of 1 service failed the check.\n');

      const json = await drift('--json', 'alpha', 'beta');
      expect(json.code).toBe(1);
      expect(JSON.parse(json.out)).toEqual([
        expect.objectContaining({ service: 'alpha', folder: 'services/alpha', findings: [] }),
        expect.objectContaining({
          service: 'beta',
          findings: [
            { file: 'src/chassis/legacy.ts', problem: 'missing' },
            { file: 'src/chassis/logger.ts', problem: 'modified', line: 2 },
          ],
        }),
      ]);
    } finally {
      fixture.repo.git('checkout', '--', 'services/beta');
    }
  });

  it('says an upgrade is available when the current template renders platform-owned files differently', async () => {
    fixture.reviseTemplate('logger revision 2', { 'src/chassis/logger.ts': '// logger, revision 2\n' });
    const { code, out } = await drift('alpha');
    expect(code).toBe(0);
    expect(out).toContain(
      'the current template would change 1 platform-owned file (`npx nx g @musiccorp/generators:upgrade alpha`)',
    );
  });

  it('refuses an unknown service with exit 2, naming the services', async () => {
    const { code, err } = await drift('omega');
    expect(code).toBe(2);
    expect(err).toContain('drift: Unknown service "omega". Services: alpha, beta.');
  });
});
