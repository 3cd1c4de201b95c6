import { describe, expect, it } from 'vitest';
import { platformOwnedPatterns } from './platform-owned';

const RENDERED = [
  'Dockerfile',
  'README.md',
  'src/chassis/app.ts',
  'src/chassis/deep/health.ts',
  'src/main.ts',
  'src/routes/index.ts',
  'test/chassis/app.spec.ts',
  'test/routes/index.spec.ts',
  'test/support.ts',
];
const TEAM_OWNED = ['src/routes/**', 'test/routes/**', 'README.md'];
const everyFile = () => true;

describe('platformOwnedPatterns', () => {
  it('one line for a folder holding only platform-owned files, one per platform-owned file elsewhere', () => {
    expect(platformOwnedPatterns(RENDERED, TEAM_OWNED, everyFile)).toEqual([
      'Dockerfile',
      'src/chassis/',
      'src/main.ts',
      'test/chassis/',
      'test/support.ts',
    ]);
  });

  it('keeps a folder apart when a teamOwned glob could match beneath it, even if the template renders nothing there', () => {
    const teamOwned = [...TEAM_OWNED, 'src/chassis/deep/local-*.ts'];
    expect(platformOwnedPatterns(RENDERED, teamOwned, everyFile)).toEqual([
      'Dockerfile',
      'src/chassis/app.ts',
      'src/chassis/deep/health.ts',
      'src/main.ts',
      'test/chassis/',
      'test/support.ts',
    ]);
  });

  it('keeps a folder apart when it holds a rendered team-owned file', () => {
    expect(
      platformOwnedPatterns(['src/chassis/app.ts', 'src/chassis/hooks.ts'], ['src/chassis/hooks.ts'], everyFile),
    ).toEqual(['src/chassis/app.ts']);
  });

  it('never collapses the service folder itself, even when every rendered file is platform-owned', () => {
    expect(platformOwnedPatterns(['Dockerfile', 'src/main.ts'], [], everyFile)).toEqual(['Dockerfile', 'src/']);
  });

  it('leaves out what the service does not have, so every line matches a file', () => {
    const has = (path: string) => !['Dockerfile', 'test/chassis/app.spec.ts', 'src/chassis/app.ts'].includes(path);
    expect(platformOwnedPatterns(RENDERED, TEAM_OWNED, has)).toEqual([
      'src/chassis/',
      'src/main.ts',
      'test/support.ts',
    ]);
  });

  it('matches globs as the drift check does: dot files included', () => {
    expect(platformOwnedPatterns(['.dockerignore', 'src/.env.example'], ['src/**'], everyFile)).toEqual([
      '.dockerignore',
    ]);
  });
});
