import { describe, expect, it } from 'vitest';
import { mergeJson, orderedKeys } from './json-merge';

describe('mergeJson', () => {
  const base = { name: 'platform', scripts: { test: 'vitest' }, devDependencies: { nx: '22.0.0', vitest: '4.0.0' } };

  it("takes each side's changes to different keys, at any depth, and removals", () => {
    const ours = { ...base, name: 'team', scripts: { test: 'vitest', report: 'node report.js' } };
    const theirs = { ...base, scripts: {}, devDependencies: { nx: '22.1.0', eslint: '9.0.0' } };
    expect(mergeJson(base, ours, theirs)).toEqual({
      value: {
        name: 'team',
        scripts: { report: 'node report.js' },
        devDependencies: { nx: '22.1.0', eslint: '9.0.0' },
      },
      conflicts: [],
    });
  });

  it('names a key both changed differently, taking the platform’s value; the same change is none', () => {
    const ours = { ...base, devDependencies: { nx: '22.0.5', vitest: '4.1.0' } };
    const theirs = { ...base, devDependencies: { nx: '22.1.0', vitest: '4.1.0' } };
    expect(mergeJson(base, ours, theirs)).toEqual({
      value: { ...base, devDependencies: { nx: '22.1.0', vitest: '4.1.0' } },
      conflicts: ['devDependencies.nx'],
    });
  });

  it('never mixes the fields of an atomic object from two sides', () => {
    const entry = { version: '1.0.0', integrity: 'a' };
    const merged = mergeJson(
      { packages: { x: entry } },
      { packages: { x: { ...entry, integrity: 'b' } } },
      { packages: { x: { version: '2.0.0', integrity: 'c' } } },
      (path) => path.length === 2,
    );
    expect(merged).toEqual({
      value: { packages: { x: { version: '2.0.0', integrity: 'c' } } },
      conflicts: ['packages.x'],
    });
  });
});

describe('orderedKeys', () => {
  it('keeps our order and puts each of their new keys after the key it follows in theirs', () => {
    expect(orderedKeys(['a', 'c', 'team'], ['a', 'b', 'c', 'd'])).toEqual(['a', 'b', 'c', 'd', 'team']);
    expect(orderedKeys(['b'], ['a', 'b'])).toEqual(['a', 'b']);
  });
});
