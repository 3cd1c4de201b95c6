import { describe, expect, it } from 'vitest';
import { InvalidContractError } from './types';
import { compareSemver, majorRaised, parseSemver } from './version';

describe('parseSemver', () => {
  it('reads x.y.z', () => {
    expect(parseSemver('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3 });
    expect(parseSemver('0.0.0')).toEqual({ major: 0, minor: 0, patch: 0 });
    expect(parseSemver('10.20.30')).toEqual({ major: 10, minor: 20, patch: 30 });
  });

  it.each(['1.2', '1', 'v1.2.3', '1.2.3-rc.1', '1.2.3+build', '01.2.3', '1.02.3', ' 1.2.3', '1.2.3 ', '', 'a.b.c'])(
    'refuses %j',
    (text) => expect(parseSemver(text)).toBeUndefined(),
  );
});

describe('majorRaised', () => {
  it('is true only when the head major is above the base major', () => {
    expect(majorRaised('1.4.2', '2.0.0')).toBe(true);
    expect(majorRaised('1.4.2', '1.5.0')).toBe(false);
    expect(majorRaised('1.4.2', '1.4.2')).toBe(false);
    expect(majorRaised('2.0.0', '1.9.9')).toBe(false);
    expect(majorRaised('9.0.0', '10.0.0')).toBe(true); // numbers, not strings
  });

  it('throws InvalidContractError naming the side and the fix for a non-semver', () => {
    expect(() => majorRaised('1.0', '2.0.0')).toThrow(InvalidContractError);
    expect(() => majorRaised('1.0', '2.0.0')).toThrow(
      'The base version "1.0" is not semver x.y.z. Fix: set info.version to three numbers, e.g. "1.0.0".',
    );
    expect(() => majorRaised('1.0.0', 'v2')).toThrow(/head version "v2"/);
  });
});

describe('compareSemver', () => {
  it('orders by major, then minor, then patch, numerically', () => {
    expect(compareSemver('1.2.3', '1.2.3')).toBe(0);
    expect(compareSemver('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareSemver('1.9.9', '2.0.0')).toBeLessThan(0);
    expect(compareSemver('1.2.3', '1.2.4')).toBeLessThan(0);
    expect(() => compareSemver('1.2.3', 'x')).toThrow(InvalidContractError);
  });
});
