/**
 * Direction-aware JSON Schema comparison, used for request bodies and parameters (side 'request': the consumer writes,
 * so the head may only accept more), responses ('response') and event data ('event'): the consumer reads, so the head
 * may only produce less. The detectors here only say what changed and whether that accepts more or less; the verdict
 * is the rule catalogue's (rules.ts).
 *
 * Handled: type (with `nullable` and integer ⊂ number), enum/const, the numeric, length, item and property bounds,
 * multipleOf, uniqueItems, pattern, format, properties/required/additionalProperties, items, oneOf/anyOf variants,
 * allOf (merged into one schema when its members do not conflict), default (request side) and deprecated. Every
 * other keyword (`not`, `if`/`then`/`else`, `patternProperties`, tuple `items`, …) that differs is reported as
 * 'unclassified-schema-change', which is breaking: nothing is silently passed. Annotations (title, description,
 * examples, $id, x-…) are not part of the contract and are never reported.
 *
 * `$ref`s are followed in their own document; a recursive schema is compared once per pair of schemas on the current
 * path (a pair met again inside itself has been compared from the outside already).
 */
import { ContractDocument, isObject, type JsonObject } from './document';
import { contractChange, schemaChange, type SchemaConstructId, type Side } from './rules';
import type { ContractChange } from './types';

/** Keywords that describe a value without constraining it. */
const ANNOTATIONS = new Set([
  'title',
  'description',
  'example',
  'examples',
  '$comment',
  '$id',
  '$schema',
  'externalDocs',
  'xml',
  'definitions',
  '$defs',
]);

/** Keywords compared below; anything else that differs is unclassified. */
const HANDLED = new Set([
  'type',
  'nullable',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'properties',
  'required',
  'additionalProperties',
  'minProperties',
  'maxProperties',
  'oneOf',
  'anyOf',
  'allOf',
  'default',
  'deprecated',
]);

/** Keywords that do not restrict the value (so a schema of only these plus a oneOf is just its variants). */
const NOT_CONSTRAINING = new Set([...ANNOTATIONS, 'deprecated', 'default']);

type Schema = JsonObject | false;
type Combinator = 'oneOf' | 'anyOf';

const EMPTY: JsonObject = Object.freeze({}) as JsonObject;

const isExtension = (key: string) => key.startsWith('x-');
const family = (type: string) => (type === 'integer' ? 'number' : type);
const plainName = (name: string) => (/^[A-Za-z_$][\w$-]*$/.test(name) ? name : JSON.stringify(name));
const propertyPath = (path: string, name: string) =>
  /^[A-Za-z_$][\w$-]*$/.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`;
const variantPath = (path: string, kind: string, index: number) => `${path}${path ? ' ' : ''}${kind}[${index}]`;

function typeSet(schema: JsonObject): Set<string> | null {
  const type = schema['type'];
  const types = typeof type === 'string' ? [type] : Array.isArray(type) ? type.map(String) : null;
  if (types === null) return null;
  if (schema['nullable'] === true) types.push('null');
  return new Set(types);
}

/** `set` admits values of `type` (a number type admits integers). */
const admits = (set: Set<string>, type: string) => set.has(type) || (type === 'integer' && set.has('number'));
const showTypes = (set: Set<string> | null) => (set === null ? 'any' : [...set].join(' | '));

interface Bound {
  value: number;
  exclusive: boolean;
}

/** The lower or upper numeric bound, from OpenAPI 3.0 (boolean exclusive…) or JSON Schema (numeric exclusive…). */
function numericBound(schema: JsonObject, which: 'lower' | 'upper'): Bound | null {
  const inclusive = schema[which === 'lower' ? 'minimum' : 'maximum'];
  const exclusive = schema[which === 'lower' ? 'exclusiveMinimum' : 'exclusiveMaximum'];
  const candidates: Bound[] = [];
  if (typeof inclusive === 'number') candidates.push({ value: inclusive, exclusive: exclusive === true });
  if (typeof exclusive === 'number') candidates.push({ value: exclusive, exclusive: true });
  // The strictest candidate: the highest lower bound, the lowest upper bound; exclusive wins a tie.
  const stricter = (a: Bound, b: Bound) =>
    a.value === b.value ? (b.exclusive ? b : a) : (which === 'lower' ? b.value > a.value : b.value < a.value) ? b : a;
  return candidates.reduce<Bound | null>((best, next) => (best ? stricter(best, next) : next), null);
}

/** Positive when `head` accepts less than `base` on that side, negative when more, 0 when the same. */
function boundTightening(base: Bound | null, head: Bound | null, which: 'lower' | 'upper'): number {
  if (!base && !head) return 0;
  if (!base) return 1;
  if (!head) return -1;
  if (base.value !== head.value) return (which === 'lower' ? 1 : -1) * Math.sign(head.value - base.value);
  return Number(head.exclusive) - Number(base.exclusive);
}

const showBound = (bound: Bound | null, which: 'lower' | 'upper') =>
  bound === null
    ? 'none'
    : `${which === 'lower' ? (bound.exclusive ? '>' : '≥') : bound.exclusive ? '<' : '≤'} ${bound.value}`;

/** Compares the schemas of one request, response or event payload, appending each change to `changes`. */
export class SchemaComparison {
  /** Pairs of schemas being compared on the current path (the cycle guard of recursive schemas). */
  private readonly active = new Map<Schema, Set<Schema>>();
  private readonly flattened = new Map<JsonObject, JsonObject>();
  private readonly flattening = new Set<JsonObject>();
  private readonly distributed = new Map<JsonObject, JsonObject[] | null>();

  constructor(
    private readonly base: ContractDocument,
    private readonly head: ContractDocument,
    private readonly side: Side,
    /** Where the compared schemas sit, e.g. 'GET /albums/{sku} → 200 application/json'. */
    private readonly location: string,
    private readonly changes: ContractChange[],
  ) {}

  /** Compares the root schemas (`undefined`: no schema, anything goes). */
  run(base: unknown, head: unknown): void {
    this.compare(base ?? EMPTY, head ?? EMPTY, '');
  }

  private at(path: string) {
    return path ? `${this.location} ${path}` : this.location;
  }

  private report(construct: SchemaConstructId, path: string, what: string) {
    this.changes.push(schemaChange(construct, this.side, this.at(path), what));
  }

  private unclassified(path: string, what: string) {
    this.changes.push(contractChange('unclassified-schema-change', this.at(path), what));
  }

  /** A schema as compared: `$ref`s followed, `true` as {}, allOf merged where possible. */
  private schema(doc: ContractDocument, raw: unknown, path: string): Schema {
    const { value } = doc.resolve(raw, '');
    if (value === true) return EMPTY;
    if (value === false) return false;
    if (!isObject(value))
      throw doc.error(
        '',
        `the schema at ${this.at(path)} is ${JSON.stringify(value)}, not a JSON Schema object`,
        'regenerate the contract from the route schemas',
      );
    return this.flatten(doc, value);
  }

  /** `{allOf: [A, B], …}` as one schema when A, B and the rest do not constrain the same keyword differently. */
  private flatten(doc: ContractDocument, schema: JsonObject): JsonObject {
    const allOf = schema['allOf'];
    if (!Array.isArray(allOf)) return schema;
    const known = this.flattened.get(schema);
    if (known) return known;
    if (this.flattening.has(schema)) return schema; // an allOf that contains itself: compared as it is
    this.flattening.add(schema);
    const { allOf: _members, ...rest } = schema;
    let merged: JsonObject | null = rest;
    for (const member of allOf) {
      const resolved = doc.resolve(member, '').value;
      const part = resolved === true ? EMPTY : isObject(resolved) ? this.flatten(doc, resolved) : null;
      merged = part && merged ? mergeSchemas(doc, merged, part) : null;
    }
    this.flattening.delete(schema);
    const result = merged ?? schema;
    this.flattened.set(schema, result);
    return result;
  }

  /**
   * The variants of a schema with a oneOf or anyOf, each merged with the schema's other keywords (`{type: object,
   * required: [a], oneOf: [X, Y]}` is `X ∧ {…}` or `Y ∧ {…}`); null when they do not merge.
   */
  private variants(doc: ContractDocument, schema: JsonObject, kind: Combinator): JsonObject[] | null {
    const known = this.distributed.get(schema);
    if (known !== undefined) return known;
    const list = schema[kind];
    const { [kind]: _list, ...rest } = schema;
    const constrained = Object.keys(rest).some((key) => !NOT_CONSTRAINING.has(key) && !isExtension(key));
    let result: JsonObject[] | null = [];
    for (const item of Array.isArray(list) ? list : []) {
      const resolved = doc.resolve(item, '').value;
      const variant = resolved === true ? EMPTY : isObject(resolved) ? this.flatten(doc, resolved) : null;
      const merged = variant && (constrained ? mergeSchemas(doc, rest, variant) : variant);
      if (!merged) {
        result = null;
        break;
      }
      result.push(merged);
    }
    this.distributed.set(schema, result);
    return result;
  }

  private compare(baseRaw: unknown, headRaw: unknown, path: string): void {
    const base = this.schema(this.base, baseRaw, path);
    const head = this.schema(this.head, headRaw, path);
    const pairs = this.active.get(base) ?? new Set<Schema>();
    if (pairs.has(head)) return;
    pairs.add(head);
    this.active.set(base, pairs);
    try {
      this.compareResolved(base, head, path);
    } finally {
      pairs.delete(head);
    }
  }

  private compareResolved(base: Schema, head: Schema, path: string): void {
    if (base === false || head === false) {
      if (base !== head) this.unclassified(path, `the schema is ${base === false ? 'no longer `false`' : '`false`'}`);
      return;
    }
    const kindOf = (schema: JsonObject): Combinator | 'both' | null =>
      Array.isArray(schema['oneOf'])
        ? Array.isArray(schema['anyOf'])
          ? 'both'
          : 'oneOf'
        : Array.isArray(schema['anyOf'])
          ? 'anyOf'
          : null;
    const [baseKind, headKind] = [kindOf(base), kindOf(head)];
    if (baseKind === null && headKind === null) return this.comparePlain(base, head, path);
    if (baseKind === 'both' || headKind === 'both') return this.compareOpaque(base, head, path, ['oneOf', 'anyOf']);

    const baseVariants = baseKind ? this.variants(this.base, base, baseKind) : [base];
    const headVariants = headKind ? this.variants(this.head, head, headKind) : [head];
    if (baseVariants && headVariants) {
      if (baseKind && headKind && baseKind !== headKind)
        this.report(
          baseKind === 'oneOf' ? 'combinator-widened' : 'combinator-narrowed',
          path,
          `${baseKind} became ${headKind}`,
        );
      return this.compareVariants(baseVariants, headVariants, path, headKind ?? baseKind ?? 'oneOf');
    }
    // Variants that do not merge with the schema around them: the rest and the variants are compared apart.
    if (baseKind === headKind && baseKind) {
      const strip = (schema: JsonObject): JsonObject => {
        const { [baseKind]: _variants, ...rest } = schema;
        return rest;
      };
      this.comparePlain(strip(base), strip(head), path);
      return this.compareVariants(
        (base[baseKind] as unknown[]).map((v) => this.schema(this.base, v, path)),
        (head[baseKind] as unknown[]).map((v) => this.schema(this.head, v, path)),
        path,
        baseKind,
      );
    }
    this.compareOpaque(base, head, path, ['oneOf', 'anyOf']);
  }

  /** Reports an unclassified change when any of `keywords`, or anything else, differs. */
  private compareOpaque(base: JsonObject, head: JsonObject, path: string, keywords: string[]) {
    if (this.base.canonical(base) !== this.head.canonical(head))
      this.unclassified(path, `${keywords.map((k) => `\`${k}\``).join(' and ')} changed in a way not analysed`);
  }

  /**
   * Pairs base and head variants: identical ones, then by title, by a discriminating constant property, or by type;
   * a single leftover on each side is taken as the same variant edited. Unpaired ones are removed or added.
   */
  private compareVariants(base: Schema[], head: Schema[], path: string, kind: string): void {
    interface Variant {
      index: number;
      schema: Schema;
      text: string;
      key: string;
    }
    const describe = (doc: ContractDocument, schemas: Schema[]): Variant[] =>
      schemas.map((schema, index) => ({
        index,
        schema,
        text: schema === false ? 'false' : doc.canonical(schema),
        key: variantKey(schema),
      }));
    const baseLeft = describe(this.base, base);
    const headLeft = describe(this.head, head);
    const pairs: [Variant, Variant][] = [];
    const pair = (b: Variant, h: Variant) => {
      pairs.push([b, h]);
      baseLeft.splice(baseLeft.indexOf(b), 1);
      headLeft.splice(headLeft.indexOf(h), 1);
    };
    for (const b of [...baseLeft]) {
      const h = headLeft.find((variant) => variant.text === b.text);
      if (h) pair(b, h);
    }
    for (const b of [...baseLeft]) {
      const sameKey = (variants: Variant[]) => variants.filter((variant) => variant.key === b.key);
      const [h, ...moreHead] = sameKey(headLeft);
      if (h && moreHead.length === 0 && sameKey(baseLeft).length === 1) pair(b, h);
    }
    const [lastBase, lastHead] = [baseLeft[0], headLeft[0]];
    if (baseLeft.length === 1 && headLeft.length === 1 && lastBase && lastHead) pair(lastBase, lastHead);

    const single = base.length === 1 && head.length === 1;
    for (const [b, h] of pairs.sort((x, y) => x[0].index - y[0].index))
      this.compare(b.schema, h.schema, single ? path : variantPath(path, kind, h.index));
    for (const b of baseLeft)
      this.report('variant-removed', variantPath(path, kind, b.index), `variant ${describeVariant(b.schema)} removed`);
    for (const h of headLeft)
      this.report('variant-added', variantPath(path, kind, h.index), `variant ${describeVariant(h.schema)} added`);
  }

  private comparePlain(base: JsonObject, head: JsonObject, path: string): void {
    const baseTypes = typeSet(base);
    const headTypes = typeSet(head);
    this.compareTypes(baseTypes, headTypes, path);
    this.compareEnums(base, head, path);
    const shared = (kind: string) =>
      [baseTypes, headTypes].every((types) => types === null || [...types].some((type) => family(type) === kind));
    if (shared('string')) {
      this.compareCount(base, head, path, 'minLength', 'lower');
      this.compareCount(base, head, path, 'maxLength', 'upper');
      this.compareText(base, head, path, 'pattern');
    }
    this.compareText(base, head, path, 'format');
    if (shared('number')) {
      this.compareNumeric(base, head, path, 'lower');
      this.compareNumeric(base, head, path, 'upper');
      this.compareMultipleOf(base, head, path);
    }
    if (shared('array')) this.compareArrays(base, head, path);
    if (shared('object')) this.compareObjects(base, head, path);
    if (this.side === 'request') this.compareDefaults(base, head, path);
    if (base['deprecated'] !== true && head['deprecated'] === true)
      this.report('schema-deprecated', path, 'marked deprecated');
    this.compareLeftovers(base, head, path);
  }

  private compareTypes(base: Set<string> | null, head: Set<string> | null, path: string) {
    if (base === null && head === null) return;
    const what = `type ${showTypes(base)} → ${showTypes(head)}`;
    if (base === null) return this.report('type-narrowed', path, what);
    if (head === null) return this.report('type-widened', path, what);
    const lost = [...base].some((type) => !admits(head, type));
    const gained = [...head].some((type) => !admits(base, type));
    if (lost && gained) this.report('type-changed', path, what);
    else if (lost) this.report('type-narrowed', path, what);
    else if (gained) this.report('type-widened', path, what);
  }

  private compareEnums(base: JsonObject, head: JsonObject, path: string) {
    const values = (schema: JsonObject, doc: ContractDocument) => {
      const list = Object.hasOwn(schema, 'const')
        ? [schema['const']]
        : Array.isArray(schema['enum'])
          ? schema['enum']
          : null;
      return list && new Map(list.map((value: unknown) => [doc.canonical(value, new Set(), true), value]));
    };
    const show = (list: unknown[]) => list.map((value) => JSON.stringify(value)).join(', ');
    const baseValues = values(base, this.base);
    const headValues = values(head, this.head);
    if (!baseValues || !headValues) {
      if (headValues) this.report('enum-added', path, `values restricted to ${show([...headValues.values()])}`);
      if (baseValues) this.report('enum-removed', path, `the restriction to ${show([...baseValues.values()])} is gone`);
      return;
    }
    const removed = [...baseValues].filter(([key]) => !headValues.has(key)).map(([, value]) => value);
    const added = [...headValues].filter(([key]) => !baseValues.has(key)).map(([, value]) => value);
    if (removed.length > 0)
      this.report('enum-value-removed', path, `enum value${removed.length > 1 ? 's' : ''} ${show(removed)} removed`);
    if (added.length > 0)
      this.report('enum-value-added', path, `enum value${added.length > 1 ? 's' : ''} ${show(added)} added`);
  }

  /** A length, item or property count bound; an absent lower bound is 0, an absent upper bound none. */
  private compareCount(base: JsonObject, head: JsonObject, path: string, keyword: string, which: 'lower' | 'upper') {
    const read = (schema: JsonObject): Bound | null => {
      const value = schema[keyword];
      if (typeof value !== 'number') return which === 'lower' ? { value: 0, exclusive: false } : null;
      return { value, exclusive: false };
    };
    const [before, after] = [read(base), read(head)];
    const tightening = boundTightening(before, after, which);
    if (tightening === 0) return;
    const show = (bound: Bound | null) => (bound === null ? 'none' : String(bound.value));
    this.report(
      tightening > 0 ? 'limit-narrowed' : 'limit-widened',
      path,
      `${keyword} ${show(before)} → ${show(after)}`,
    );
  }

  private compareNumeric(base: JsonObject, head: JsonObject, path: string, which: 'lower' | 'upper') {
    const [before, after] = [numericBound(base, which), numericBound(head, which)];
    const tightening = boundTightening(before, after, which);
    if (tightening === 0) return;
    this.report(
      tightening > 0 ? 'limit-narrowed' : 'limit-widened',
      path,
      `${which === 'lower' ? 'minimum' : 'maximum'} ${showBound(before, which)} → ${showBound(after, which)}`,
    );
  }

  private compareMultipleOf(base: JsonObject, head: JsonObject, path: string) {
    const read = (schema: JsonObject) => (typeof schema['multipleOf'] === 'number' ? schema['multipleOf'] : null);
    const [before, after] = [read(base), read(head)];
    if (before === after) return;
    const what = `multipleOf ${before ?? 'none'} → ${after ?? 'none'}`;
    const divides = (divisor: number, value: number) => Math.abs(value / divisor - Math.round(value / divisor)) < 1e-9;
    if (before === null || (after !== null && divides(before, after))) this.report('limit-narrowed', path, what);
    else if (after === null || divides(after, before)) this.report('limit-widened', path, what);
    else this.report('limit-changed', path, what);
  }

  /** pattern or format: added (accepts less), removed (accepts more), changed (cannot be decided). */
  private compareText(base: JsonObject, head: JsonObject, path: string, keyword: 'pattern' | 'format') {
    const [before, after] = [base[keyword], head[keyword]];
    if (before === after) return;
    const show = (value: unknown) => (value === undefined ? 'none' : JSON.stringify(value));
    const what = `${keyword} ${show(before)} → ${show(after)}`;
    if (before === undefined) this.report(`${keyword}-added`, path, what);
    else if (after === undefined) this.report(`${keyword}-removed`, path, what);
    else this.report(`${keyword}-changed`, path, what);
  }

  private compareArrays(base: JsonObject, head: JsonObject, path: string) {
    const [before, after] = [base['items'], head['items']];
    if (Array.isArray(before) || Array.isArray(after)) {
      if (this.base.canonical(before) !== this.head.canonical(after)) this.unclassified(path, 'tuple `items` changed');
    } else if (before !== undefined || after !== undefined) {
      this.compare(before ?? EMPTY, after ?? EMPTY, `${path}[]`);
    }
    this.compareCount(base, head, path, 'minItems', 'lower');
    this.compareCount(base, head, path, 'maxItems', 'upper');
    const unique = (schema: JsonObject) => schema['uniqueItems'] === true;
    if (unique(base) !== unique(head))
      this.report(
        unique(head) ? 'limit-narrowed' : 'limit-widened',
        path,
        `uniqueItems ${unique(base)} → ${unique(head)}`,
      );
  }

  private compareObjects(base: JsonObject, head: JsonObject, path: string) {
    const properties = (schema: JsonObject) => {
      const declared = isObject(schema['properties']) ? schema['properties'] : {};
      const map = new Map<string, unknown>(Object.entries(declared));
      for (const name of requiredOf(schema)) if (!map.has(name)) map.set(name, EMPTY);
      return map;
    };
    const [before, after] = [properties(base), properties(head)];
    const [requiredBefore, requiredAfter] = [new Set(requiredOf(base)), new Set(requiredOf(head))];
    const hasDefault = (doc: ContractDocument, raw: unknown) => {
      const schema = this.schema(doc, raw, path);
      return schema !== false && Object.hasOwn(schema, 'default');
    };
    const request = this.side === 'request';
    const names = [...before.keys(), ...[...after.keys()].filter((name) => !before.has(name))];
    for (const name of names) {
      const at = propertyPath(path, name);
      const shown = plainName(name);
      if (!after.has(name)) {
        this.report('property-removed', at, `property ${shown} removed`);
        continue;
      }
      const required = requiredAfter.has(name);
      if (!before.has(name)) {
        if (!required) this.report('property-added', at, `new optional property ${shown}`);
        else if (request && hasDefault(this.head, after.get(name)))
          this.report('property-required-added-with-default', at, `new required property ${shown} with a default`);
        else this.report('property-required-added', at, `new required property ${shown}`);
        continue;
      }
      const wasRequired = requiredBefore.has(name);
      if (!wasRequired && required) {
        if (request && hasDefault(this.head, after.get(name)))
          this.report('property-made-required-with-default', at, `property ${shown} is now required, with a default`);
        else this.report('property-made-required', at, `property ${shown} is now required`);
      } else if (wasRequired && !required) {
        this.report('property-made-optional', at, `property ${shown} is now optional`);
      } else if (
        request &&
        required &&
        hasDefault(this.base, before.get(name)) &&
        !hasDefault(this.head, after.get(name))
      ) {
        this.report('property-made-required', at, `required property ${shown} lost its default`);
      }
      this.compare(before.get(name), after.get(name), at);
    }

    const [extraBefore, extraAfter] = [base['additionalProperties'], head['additionalProperties']];
    if (extraBefore !== false && extraAfter === false)
      this.report('additional-properties-closed', path, 'additionalProperties allowed → false');
    else if (extraBefore === false && extraAfter !== false)
      this.report('additional-properties-opened', path, 'additionalProperties false → allowed');
    else if (isObject(extraBefore) || isObject(extraAfter))
      this.compare(isObject(extraBefore) ? extraBefore : EMPTY, isObject(extraAfter) ? extraAfter : EMPTY, `${path}.*`);

    this.compareCount(base, head, path, 'minProperties', 'lower');
    this.compareCount(base, head, path, 'maxProperties', 'upper');
  }

  private compareDefaults(base: JsonObject, head: JsonObject, path: string) {
    const had = Object.hasOwn(base, 'default');
    const has = Object.hasOwn(head, 'default');
    if (!had && !has) return;
    const show = (schema: JsonObject, present: boolean) => (present ? JSON.stringify(schema['default']) : 'none');
    const what = `default ${show(base, had)} → ${show(head, has)}`;
    if (!had) this.report('default-added', path, what);
    else if (
      !has ||
      this.base.canonical(base['default'], new Set(), true) !== this.head.canonical(head['default'], new Set(), true)
    )
      this.report('default-changed', path, what);
  }

  /** allOf that did not merge, and every keyword this comparison does not know. */
  private compareLeftovers(base: JsonObject, head: JsonObject, path: string) {
    const [allOfBefore, allOfAfter] = [base['allOf'], head['allOf']];
    if (Array.isArray(allOfBefore) && Array.isArray(allOfAfter) && allOfBefore.length === allOfAfter.length)
      allOfBefore.forEach((member, i) => this.compare(member, allOfAfter[i], variantPath(path, 'allOf', i)));
    else if (allOfBefore !== undefined || allOfAfter !== undefined)
      this.compareOpaque({ allOf: allOfBefore ?? null }, { allOf: allOfAfter ?? null }, path, ['allOf']);

    const unknown: string[] = [];
    const check = (key: string) => {
      if (HANDLED.has(key) || ANNOTATIONS.has(key) || isExtension(key) || unknown.includes(key)) return;
      if (this.base.canonical(base[key]) !== this.head.canonical(head[key])) unknown.push(key);
    };
    for (const key in base) check(key);
    for (const key in head) check(key);
    unknown.sort();
    if (unknown.length > 0) this.unclassified(path, `${unknown.map((key) => `\`${key}\``).join(', ')} changed`);
  }
}

const requiredOf = (schema: JsonObject): string[] =>
  Array.isArray(schema['required'])
    ? schema['required'].filter((name): name is string => typeof name === 'string')
    : [];

/** What pairs a variant with its edited self: its title, a property with one constant value, else its types. */
function variantKey(schema: Schema): string {
  if (schema === false) return 'false';
  if (typeof schema['title'] === 'string') return `title:${schema['title']}`;
  const properties = isObject(schema['properties']) ? schema['properties'] : {};
  for (const [name, property] of Object.entries(properties)) {
    if (!isObject(property)) continue;
    const constant = Object.hasOwn(property, 'const')
      ? property['const']
      : Array.isArray(property['enum']) && property['enum'].length === 1
        ? property['enum'][0]
        : undefined;
    if (constant !== undefined) return `tag:${name}=${JSON.stringify(constant)}`;
  }
  const types = typeSet(schema);
  return `type:${types ? [...new Set([...types].map(family))].sort().join('|') : 'any'}`;
}

function describeVariant(schema: Schema): string {
  if (schema === false) return 'false';
  const key = variantKey(schema);
  return key.startsWith('title:') ? `"${key.slice(6)}"` : `(${key.replace(/^type:/, 'type ').replace(/^tag:/, '')})`;
}

/** `a ∧ b` as one schema, or null when both constrain one keyword differently (then the allOf is kept). */
function mergeSchemas(doc: ContractDocument, a: JsonObject, b: JsonObject): JsonObject | null {
  const merged: JsonObject = { ...a };
  for (const [key, value] of Object.entries(b)) {
    if (!Object.hasOwn(merged, key) || ANNOTATIONS.has(key)) {
      if (!Object.hasOwn(merged, key)) merged[key] = value;
      continue;
    }
    const existing = merged[key];
    if (key === 'required') {
      merged[key] = [...new Set([...requiredOf(a), ...requiredOf(b)])];
    } else if (key === 'properties' && isObject(existing) && isObject(value)) {
      const properties: JsonObject = { ...existing };
      for (const [name, schema] of Object.entries(value)) {
        const current = properties[name];
        properties[name] =
          current === undefined || doc.canonical(current) === doc.canonical(schema)
            ? schema
            : { allOf: [current, schema] };
      }
      merged[key] = properties;
    } else if (doc.canonical(existing) !== doc.canonical(value)) {
      return null;
    }
  }
  return merged;
}
