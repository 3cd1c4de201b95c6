import { describe, expect, it } from 'vitest';
import { diffNpmLockfile, indexExternalNodes, lockfilePackages, nodeForChange, nxVersionOf } from './lockfile';

const lock = (packages: Record<string, object>) =>
  JSON.stringify({ name: 'w', lockfileVersion: 3, packages: { '': { name: 'w' }, ...packages } });

describe('diffNpmLockfile', () => {
  it('lists installed packages whose version or integrity changed, were added or were removed', () => {
    const before = lock({
      'node_modules/a': { version: '1.0.0', integrity: 'sha512-a1' },
      'node_modules/b': { version: '2.0.0', integrity: 'sha512-b2' },
      'node_modules/c': { version: '3.0.0', integrity: 'sha512-c3', dev: true },
      'node_modules/a/node_modules/d': { version: '1.0.0' },
      generators: { version: '0.1.0' },
      'node_modules/@musiccorp/generators': { resolved: 'generators', link: true },
    });
    const after = lock({
      'node_modules/a': { version: '1.0.1', integrity: 'sha512-a2' },
      'node_modules/b': { version: '2.0.0', integrity: 'sha512-b2' },
      'node_modules/c': { version: '3.0.0', integrity: 'sha512-c3', dev: false }, // flags only: same code
      'node_modules/e': { version: '5.0.0' },
      generators: { version: '0.2.0' },
      'node_modules/@musiccorp/generators': { resolved: 'generators', link: true },
    });
    expect(diffNpmLockfile(before, after)).toEqual([
      { path: 'node_modules/a', packageName: 'a', before: '1.0.0', after: '1.0.1' },
      { path: 'node_modules/a/node_modules/d', packageName: 'd', before: '1.0.0', after: undefined },
      { path: 'node_modules/e', packageName: 'e', before: undefined, after: '5.0.0' },
    ]);
  });

  it('gives up (undefined) on a lockfileVersion 1 file without a packages map', () => {
    expect(diffNpmLockfile(JSON.stringify({ lockfileVersion: 1, dependencies: {} }), lock({}))).toBeUndefined();
  });

  it('names versions like Nx does: tarball URLs and aliases', () => {
    expect(nxVersionOf({ version: '1.0.0', resolved: 'https://registry.npmjs.org/x/-/x-1.0.0.tgz' }, 'x')).toBe(
      '1.0.0',
    );
    expect(nxVersionOf({ version: '1.0.0', resolved: 'git+ssh://host/x.git#abc' }, 'x')).toBe(
      'git+ssh://host/x.git#abc',
    );
    expect(nxVersionOf({ name: 'real', version: '2.0.0' }, 'alias')).toBe('npm:real@2.0.0');
  });
});

describe('nodeForChange', () => {
  const index = indexExternalNodes({
    'npm:a': { name: 'npm:a', data: { packageName: 'a', version: '1.0.1' } },
    'npm:d@2.0.0': { name: 'npm:d@2.0.0', data: { packageName: 'd', version: '2.0.0' } },
  });
  const head = lockfilePackages(lock({ 'node_modules/a': { version: '1.0.1' } }));

  it('maps a changed entry to the node Nx built for its new version', () => {
    expect(
      nodeForChange({ path: 'node_modules/a', packageName: 'a', before: '1.0.0', after: '1.0.1' }, index, head),
    ).toEqual({
      node: 'npm:a',
      detail: '1.0.0 → 1.0.1',
    });
    expect(
      nodeForChange(
        { path: 'node_modules/x/node_modules/d', packageName: 'd', before: undefined, after: '2.0.0' },
        index,
        head,
      ),
    ).toEqual({
      node: 'npm:d@2.0.0',
      detail: 'added 2.0.0 at node_modules/x/node_modules/d',
    });
  });

  it('maps a removed nested entry to its parent, which now resolves it elsewhere', () => {
    expect(
      nodeForChange(
        { path: 'node_modules/a/node_modules/d', packageName: 'd', before: '1.0.0', after: undefined },
        index,
        head,
      ),
    ).toEqual({
      node: 'npm:a',
      detail: 'nested d 1.0.0 removed',
    });
    expect(
      nodeForChange({ path: 'node_modules/gone', packageName: 'gone', before: '1.0.0', after: undefined }, index, head),
    ).toBeUndefined();
  });
});
