/**
 * A 3-way merge of JSON documents key by key, for the workspace's package.json and package-lock.json: a line merge of
 * those conflicts whenever the team and the platform touch neighbouring lines (a dependency the team added beside one
 * the platform bumped), a key merge only when both changed the same key.
 */
import { isDeepStrictEqual } from 'node:util';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface JsonMerge {
  value: JsonObject;
  /** The keys both sides changed differently, as paths (`scripts.test`); the platform's value is in `value`. */
  conflicts: string[];
}

/**
 * Per key: the side that changed it wins; both changed it alike, either; both changed objects, merged key by key
 * (unless `atomic` says the object is one value, like a lockfile entry whose version and integrity go together);
 * otherwise a conflict, resolved for the platform. A key absent from a side means that side has none (or removed it).
 */
export function mergeJson(
  base: JsonObject,
  ours: JsonObject,
  theirs: JsonObject,
  atomic: (path: readonly string[]) => boolean = () => false,
): JsonMerge {
  const conflicts: string[] = [];
  const merge = (b: JsonObject, o: JsonObject, t: JsonObject, path: readonly string[]): JsonObject => {
    const merged: JsonObject = {};
    for (const key of orderedKeys(Object.keys(o), Object.keys(t))) {
      const [bv, ov, tv] = [b[key], o[key], t[key]];
      const value =
        isDeepStrictEqual(bv, tv) || isDeepStrictEqual(ov, tv)
          ? ov
          : isDeepStrictEqual(bv, ov)
            ? tv
            : isObject(ov) && isObject(tv) && (bv === undefined || isObject(bv)) && !atomic([...path, key])
              ? merge(bv ?? {}, ov, tv, [...path, key])
              : (conflicts.push([...path, key].join('.')), tv);
      if (value !== undefined) merged[key] = value;
    }
    return merged;
  };
  return { value: merge(base, ours, theirs, []), conflicts };
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Our keys in our order, with each key only theirs has inserted after the key it follows in theirs: a dependency the
 * platform added lands in its alphabetical place, a script the team added stays where the team put it.
 */
export function orderedKeys(ours: readonly string[], theirs: readonly string[]): string[] {
  const keys = [...ours];
  const placed = new Set(ours);
  let after = -1;
  for (const key of theirs) {
    if (placed.has(key)) {
      after = keys.indexOf(key);
      continue;
    }
    keys.splice(++after, 0, key);
    placed.add(key);
  }
  return keys;
}

export function parseJsonObject(text: string, what: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`${what} is not a JSON object`);
  return parsed as JsonObject;
}
