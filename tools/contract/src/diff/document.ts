/**
 * One contract document as the engine reads it: plain JSON, local `$ref`s (`#/components/schemas/X`,
 * `#/components/messages/X`, `#/channels/X`) resolved on demand. The readers check every `$ref` before comparing
 * (checkReferences), so a dangling or external reference is an InvalidContractError naming its JSON pointer, never a
 * silent `{}`.
 */
import { InvalidContractError, type DocumentRole } from './types';
import { parseSemver } from './version';

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON pointer token: `~` → `~0`, `/` → `~1`. */
export const pointerToken = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

export const childPointer = (pointer: string, ...keys: (string | number)[]) =>
  pointer + keys.map((key) => `/${pointerToken(key)}`).join('');

/** Keys whose values are data (examples, enum values, defaults), not schema: a `$ref` inside them is just a string. */
const DATA_KEYS = new Set(['example', 'examples', 'enum', 'const', 'default']);
/** Keys whose values map arbitrary names to schemas or objects: a child named `default` or `enum` there is not data. */
const NAME_MAP_KEYS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'schemas']);

/** `head OpenAPI contract, at /info/version: <problem>. Fix: <fix>.` */
export function contractError(
  role: DocumentRole,
  kind: string,
  pointer: string,
  problem: string,
  fix: string,
): InvalidContractError {
  const where = pointer || '(document root)';
  return new InvalidContractError(
    `${role} ${kind} contract, at ${where}: ${problem}. Fix: ${fix.replace(/\.$/, '')}.`,
    pointer,
    role,
  );
}

export class ContractDocument {
  constructor(
    readonly root: JsonObject,
    readonly role: DocumentRole,
    /** 'OpenAPI' or 'AsyncAPI', for messages. */
    readonly kind: string,
  ) {}

  /** An InvalidContractError about this document at `pointer`; `problem` says what is wrong, `fix` how to fix it. */
  error(pointer: string, problem: string, fix: string): InvalidContractError {
    return contractError(this.role, this.kind, pointer, problem, fix);
  }

  /** The value a local reference points at; throws when it points at nothing. */
  private target(ref: string, at: string): unknown {
    if (!ref.startsWith('#'))
      throw this.error(
        at,
        `$ref "${ref}" is not a local reference`,
        'keep every schema in the document (components/schemas, components/messages) and refer to it as "#/…"',
      );
    if (ref !== '#' && !ref.startsWith('#/'))
      throw this.error(at, `$ref "${ref}" is not a JSON pointer`, 'write it as "#/components/schemas/<name>"');
    let tokens: string[];
    try {
      tokens = decodeURIComponent(ref.slice(1))
        .split('/')
        .slice(1)
        .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
    } catch {
      throw this.error(at, `$ref "${ref}" is not a valid URI fragment`, 'percent-encode it correctly');
    }
    let value: unknown = this.root;
    for (const token of tokens) {
      const next: unknown = Array.isArray(value)
        ? /^(0|[1-9]\d*)$/.test(token)
          ? value[Number(token)]
          : undefined
        : isObject(value) && Object.hasOwn(value, token)
          ? value[token]
          : undefined;
      if (next === undefined)
        throw this.error(
          at,
          `$ref "${ref}" points at nothing`,
          `define ${ref.slice(1)} in the document, or correct the reference (regenerating the contract restores both)`,
        );
      value = next;
    }
    return value;
  }

  /**
   * `value` with its `$ref` chain followed (a `$ref` to a `$ref` …), and the pointer it was found at. A chain that
   * comes back to itself refers to no value at all: refused.
   */
  resolve(value: unknown, pointer: string): { value: unknown; pointer: string } {
    let current = { value, pointer };
    if (!isObject(value) || typeof value['$ref'] !== 'string') return current;
    const seen = new Set<string>();
    while (isObject(current.value) && typeof current.value['$ref'] === 'string') {
      const ref = current.value['$ref'];
      if (seen.has(ref))
        throw this.error(
          pointer,
          `$ref chain ${[...seen, ref].join(' → ')} is circular and never reaches a value`,
          'make one of them a schema instead of a reference',
        );
      seen.add(ref);
      current = { value: this.target(ref, current.pointer), pointer: ref.slice(1) };
    }
    return current;
  }

  /** Throws InvalidContractError for the first `$ref` (in document order) that is external or points at nothing. */
  checkReferences(): void {
    this.checkReferencesIn(this.root, [], false);
  }

  /** `path` is the keys down to `value` (the pointer is only built for a reference: this walks every node). */
  private checkReferencesIn(value: unknown, path: (string | number)[], isData: boolean): void {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        this.checkReferencesIn(value[i], path, isData);
        path.pop();
      }
      return;
    }
    if (!isObject(value) || isData) return;
    if (typeof value['$ref'] === 'string') this.resolve(value, childPointer('', ...path, '$ref'));
    const parentKey = path[path.length - 1];
    const namesOnly = typeof parentKey === 'string' && NAME_MAP_KEYS.has(parentKey);
    for (const key in value) {
      path.push(key);
      this.checkReferencesIn(value[key], path, DATA_KEYS.has(key) && !namesOnly);
      path.pop();
    }
  }

  /**
   * Canonical JSON of `value` with every `$ref` replaced by what it points at (keys sorted), so two documents that
   * name their components differently (`def-0` vs `Album`) compare equal when the schemas are. A reference met again
   * inside itself (a recursive schema) is written as its pointer.
   */
  canonical(value: unknown, active: Set<string> = new Set(), isData = false, parentKey = ''): string {
    if (Array.isArray(value)) return `[${value.map((item) => this.canonical(item, active, isData)).join(',')}]`;
    if (!isObject(value)) return JSON.stringify(value) ?? 'null';
    if (!isData && typeof value['$ref'] === 'string') {
      const ref = value['$ref'];
      if (active.has(ref)) return JSON.stringify({ $recursive: ref });
      active.add(ref);
      const text = this.canonical(this.resolve(value, '').value, active);
      active.delete(ref);
      return text;
    }
    const entries = Object.keys(value)
      .sort()
      .map((key) => {
        const data = isData || (DATA_KEYS.has(key) && !NAME_MAP_KEYS.has(parentKey));
        return `${JSON.stringify(key)}:${this.canonical(value[key], active, data, key)}`;
      });
    return `{${entries.join(',')}}`;
  }
}

/** Both documents carry `info.version`, semver x.y.z: the gate compares majors. */
export function checkInfoVersion(doc: ContractDocument, input: JsonObject): void {
  const info = input['info'];
  if (!isObject(info))
    throw doc.error(
      '/info',
      '"info" is missing or not an object',
      'add "info": {"title": "<service>", "version": "1.0.0"}',
    );
  const version = info['version'];
  if (typeof version !== 'string')
    throw doc.error(
      '/info/version',
      'info.version is missing',
      'set it to the contract\'s semver version, e.g. "1.0.0"',
    );
  if (!parseSemver(version))
    throw doc.error(
      '/info/version',
      `info.version "${version}" is not semver x.y.z`,
      'set it to three plain numbers, e.g. "1.0.0" (raise the first for a breaking change)',
    );
}
