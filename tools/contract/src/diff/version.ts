import { InvalidContractError } from './types';

/** A contract's `info.version`: three plain numbers, nothing after them. */
export interface Semver {
  major: number;
  minor: number;
  patch: number;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** `1.2.3` → {major: 1, minor: 2, patch: 3}; undefined for anything else (`1.2`, `v1.2.3`, `1.2.3-rc.1`, `01.2.3`). */
export function parseSemver(text: string): Semver | undefined {
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  const [major, minor, patch] = match.slice(1).map(Number) as [number, number, number];
  return { major, minor, patch };
}

function required(text: string, role: string): Semver {
  const version = parseSemver(text);
  if (!version)
    throw new InvalidContractError(
      `The ${role} version "${text}" is not semver x.y.z. Fix: set info.version to three numbers, e.g. "1.0.0".`,
      '/info/version',
    );
  return version;
}

/** Negative when a is lower than b, 0 when equal, positive when higher. Throws InvalidContractError on a non-semver. */
export function compareSemver(a: string, b: string): number {
  const [x, y] = [required(a, 'first'), required(b, 'second')];
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}

/** True when the head's major version is above the base's: the only way a breaking change may pass the gate. */
export function majorRaised(base: string, head: string): boolean {
  return required(head, 'head').major > required(base, 'base').major;
}
