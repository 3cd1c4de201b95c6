/**
 * The rule catalogue: every change the engine can report, with its id, verdict and the reason a consumer is (or is
 * not) broken by it. The detectors (openapi.ts, events.ts, schema.ts) say what changed; the verdict and the reason
 * come from here only, and so does the README's rule table (rulesMarkdown, checked by rules.spec.ts).
 *
 * Direction decides most verdicts. A request (body, parameters, headers) is written by the consumer and read by the
 * provider: it may only widen. A response, and an event's data, is written by the provider and read by the consumer:
 * it may only narrow. Schema rules therefore exist per side, `request-…`, `response-…` and `event-…`, with one
 * verdict for the request side and one for the two reading sides.
 */
import type { ContractChange, Verdict } from './types';

export type Side = 'request' | 'response' | 'event';

interface RuleSpec {
  verdict: Verdict;
  /** When the rule fires (README). */
  when: string;
  /** Why that breaks a consumer or does not (the end of every message). */
  why: string;
}

const CONTRACT_RULES = {
  'path-added': { verdict: 'non-breaking', when: 'a new path', why: 'no consumer calls it yet' },
  'path-removed': {
    verdict: 'breaking',
    when: 'a path is gone with all its operations',
    why: 'every consumer calling it now gets 404',
  },
  'path-parameter-renamed': {
    verdict: 'non-breaking',
    when: 'a path parameter has a new name (`/albums/{id}` → `/albums/{sku}`)',
    why: 'the URL a consumer builds is the same',
  },
  'operation-added': { verdict: 'non-breaking', when: 'a new method on a path', why: 'no consumer calls it yet' },
  'operation-removed': {
    verdict: 'breaking',
    when: 'a method of a path is gone',
    why: 'every consumer calling it now gets 404 or 405',
  },
  'operation-deprecated': {
    verdict: 'non-breaking',
    when: 'an operation gets `deprecated: true`',
    why: 'it still works; consumers are told to move (the first step of expand and contract)',
  },
  'parameter-added': {
    verdict: 'non-breaking',
    when: 'a new optional query, header or cookie parameter',
    why: 'consumers that do not send it are served as before',
  },
  'parameter-required-added': {
    verdict: 'breaking',
    when: 'a new required parameter (query, header, cookie)',
    why: 'requests without it are now rejected with 400',
  },
  'parameter-required-added-with-default': {
    verdict: 'non-breaking',
    when: 'a new required parameter whose schema has a `default`',
    why: 'the chassis (Fastify ajv, useDefaults) fills the default in when a consumer omits it',
  },
  'parameter-removed': {
    verdict: 'breaking',
    when: 'a parameter is gone',
    why: 'consumers that send it silently lose its effect',
  },
  'parameter-renamed': {
    verdict: 'breaking',
    when: 'a parameter was removed and one with the same schema added in the same place',
    why: 'consumers still send the old name, which the provider no longer reads',
  },
  'parameter-moved': {
    verdict: 'breaking',
    when: 'a parameter moved between query, header and cookie',
    why: 'consumers still send it where it was, where the provider no longer reads it',
  },
  'parameter-made-required': {
    verdict: 'breaking',
    when: 'an optional parameter became required',
    why: 'requests without it are now rejected with 400',
  },
  'parameter-made-required-with-default': {
    verdict: 'non-breaking',
    when: 'an optional parameter with a `default` became required',
    why: 'the chassis (Fastify ajv, useDefaults) fills the default in when a consumer omits it',
  },
  'parameter-made-optional': {
    verdict: 'non-breaking',
    when: 'a required parameter became optional',
    why: 'requests that send it are served as before',
  },
  'request-body-added': {
    verdict: 'non-breaking',
    when: 'an operation accepts an optional body it did not declare',
    why: 'consumers that send none are served as before',
  },
  'request-body-required-added': {
    verdict: 'breaking',
    when: 'an operation requires a body it did not declare',
    why: 'requests without one are now rejected',
  },
  'request-body-removed': {
    verdict: 'breaking',
    when: 'an operation no longer declares its body',
    why: 'consumers that send one silently lose its effect',
  },
  'request-body-made-required': {
    verdict: 'breaking',
    when: 'an optional body became required',
    why: 'requests without one are now rejected',
  },
  'request-body-made-optional': {
    verdict: 'non-breaking',
    when: 'a required body became optional',
    why: 'requests that send one are served as before',
  },
  'request-content-type-added': {
    verdict: 'non-breaking',
    when: 'the body may be sent as another media type',
    why: 'consumers that send the old one are served as before',
  },
  'request-content-type-removed': {
    verdict: 'breaking',
    when: 'a media type the body could be sent as is gone',
    why: 'consumers that send it now get 415',
  },
  'response-content-type-added': {
    verdict: 'non-breaking',
    when: 'a response is also offered as another media type',
    why: 'consumers negotiate with Accept and still get the one they ask for',
  },
  'response-content-type-removed': {
    verdict: 'breaking',
    when: 'a media type a response was offered as is gone',
    why: 'consumers that ask for it get another one, or 406',
  },
  'success-status-changed': {
    verdict: 'breaking',
    when: "the operation's only success status (1xx-3xx) is another one (200 → 201)",
    why: 'consumers that check the status treat the new one as unexpected',
  },
  'success-status-removed': {
    verdict: 'breaking',
    when: 'a success status (1xx-3xx) is gone',
    why: 'consumers written for that response never get it again',
  },
  'success-status-added': {
    verdict: 'breaking',
    when: 'a new success status (1xx-3xx) beside the existing ones',
    why: 'consumers that check for the status they know treat the new one as a failure',
  },
  'error-status-added': {
    verdict: 'non-breaking',
    when: 'a new error status (4xx, 5xx, default)',
    why: 'an HTTP consumer handles any 4xx/5xx by its class; this only documents one more',
  },
  'error-status-removed': {
    verdict: 'non-breaking',
    when: 'an error status (4xx, 5xx, default) is no longer documented',
    why: 'consumers never get it again, and their handling of it is simply unused',
  },
  'response-header-added': {
    verdict: 'non-breaking',
    when: 'a new response header',
    why: 'consumers ignore headers they do not read',
  },
  'response-header-removed': {
    verdict: 'breaking',
    when: 'a response header is gone',
    why: 'consumers that read it get nothing',
  },
  'response-header-made-optional': {
    verdict: 'breaking',
    when: 'a required response header became optional',
    why: 'consumers that rely on it get nothing when it is absent',
  },
  'event-added': { verdict: 'non-breaking', when: 'a new event type', why: 'no consumer subscribes to it yet' },
  'event-removed': {
    verdict: 'breaking',
    when: 'an event type is no longer published',
    why: 'its subscribers never get it again',
  },
  'event-deprecated': {
    verdict: 'non-breaking',
    when: 'an event gets `deprecated: true`',
    why: 'it is still published; subscribers are told to move (the first step of expand and contract)',
  },
  'event-content-type-changed': {
    verdict: 'breaking',
    when: "an event's content type changed",
    why: 'subscribers decode its data as the old type',
  },
  'unclassified-schema-change': {
    verdict: 'breaking',
    when: 'a schema keyword the engine does not classify changed (`not`, `if`/`then`/`else`, `patternProperties`, …)',
    why: 'it could not be proven compatible, so it counts as breaking (bump the major version, or undo it)',
  },
} as const satisfies Record<string, RuleSpec>;

interface SideRule {
  verdict: Verdict;
  why: string;
}

interface SchemaConstruct {
  when: string;
  /** The consumer writes it (body, parameters, headers); null where the construct cannot occur on that side. */
  request: SideRule | null;
  /** The consumer reads it: a response, or an event's data. */
  read: SideRule | null;
}

const REJECTED = 'requests that were valid may now be rejected with 400';
const STILL_VALID = 'every request that was valid still is';
const UNHANDLED = 'consumers may now receive values they were not written for';
const SEEN_BEFORE = 'consumers only receive values they could receive before';

const SCHEMA_CONSTRUCTS = {
  'type-narrowed': {
    when: 'the type accepts less (number → integer, `[string, null]` → string, any → string)',
    request: { verdict: 'breaking', why: REJECTED },
    read: { verdict: 'non-breaking', why: SEEN_BEFORE },
  },
  'type-widened': {
    when: 'the type accepts more (integer → number, `nullable: true`, a type added to a union)',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'breaking', why: 'consumers may not handle values of the new type' },
  },
  'type-changed': {
    when: 'the type is another one (string → number)',
    request: { verdict: 'breaking', why: REJECTED },
    read: { verdict: 'breaking', why: 'consumers parse values of the old type' },
  },
  'enum-added': {
    when: 'an `enum` (or `const`) now restricts the values',
    request: { verdict: 'breaking', why: REJECTED },
    read: { verdict: 'non-breaking', why: SEEN_BEFORE },
  },
  'enum-removed': {
    when: 'the `enum` (or `const`) restriction is gone',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'breaking', why: 'consumers that map every value have no case for the new ones' },
  },
  'enum-value-added': {
    when: 'an `enum` gained values',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'breaking', why: 'a consumer that maps every value has no case for the new one' },
  },
  'enum-value-removed': {
    when: 'an `enum` lost values',
    request: { verdict: 'breaking', why: 'consumers that send the removed value are rejected with 400' },
    read: { verdict: 'non-breaking', why: 'consumers never see the value again; their case for it is simply unused' },
  },
  'limit-narrowed': {
    when: 'a bound got stricter or was added: minimum, exclusiveMinimum, minLength, minItems, minProperties raised; the max… ones lowered; multipleOf a multiple of the old one; uniqueItems set',
    request: { verdict: 'breaking', why: REJECTED },
    read: { verdict: 'non-breaking', why: SEEN_BEFORE },
  },
  'limit-widened': {
    when: 'a bound was relaxed or removed (the opposite of limit-narrowed)',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'breaking', why: 'consumers may receive values outside the bounds they rely on' },
  },
  'limit-changed': {
    when: 'multipleOf changed to a value that is neither a multiple nor a divisor of the old one',
    request: { verdict: 'breaking', why: REJECTED },
    read: { verdict: 'breaking', why: UNHANDLED },
  },
  'pattern-added': {
    when: 'a `pattern` now restricts a string',
    request: { verdict: 'breaking', why: REJECTED },
    read: { verdict: 'non-breaking', why: SEEN_BEFORE },
  },
  'pattern-removed': {
    when: 'the `pattern` restriction is gone',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'breaking', why: 'consumers may receive strings that do not match what they parse' },
  },
  'pattern-changed': {
    when: 'the `pattern` is another one (whether it accepts more or less cannot be decided)',
    request: { verdict: 'breaking', why: 'requests that matched the old pattern may not match the new one' },
    read: { verdict: 'breaking', why: 'consumers may receive strings that do not match the old pattern' },
  },
  'format-added': {
    when: 'a `format` now restricts a string',
    request: { verdict: 'breaking', why: REJECTED },
    read: { verdict: 'non-breaking', why: SEEN_BEFORE },
  },
  'format-removed': {
    when: 'the `format` restriction is gone',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'breaking', why: 'consumers may receive strings that do not parse as the old format' },
  },
  'format-changed': {
    when: 'the `format` is another one (date-time → date)',
    request: { verdict: 'breaking', why: REJECTED },
    read: { verdict: 'breaking', why: 'consumers parse the old format' },
  },
  'property-added': {
    when: 'a new optional property',
    request: { verdict: 'non-breaking', why: 'consumers that do not send it are served as before' },
    read: { verdict: 'non-breaking', why: 'consumers ignore fields they do not read (tolerant reader)' },
  },
  'property-required-added': {
    when: 'a new required property',
    request: { verdict: 'breaking', why: 'requests without it are now rejected with 400' },
    read: { verdict: 'non-breaking', why: 'consumers ignore fields they do not read (tolerant reader)' },
  },
  'property-required-added-with-default': {
    when: 'a new required request property whose schema has a `default`',
    request: {
      verdict: 'non-breaking',
      why: 'the chassis (Fastify ajv, useDefaults) fills the default in when a consumer omits it',
    },
    read: null,
  },
  'property-removed': {
    when: 'a property is gone (a rename is reported as a removal and an addition)',
    request: { verdict: 'breaking', why: 'consumers that send it silently lose its effect' },
    read: { verdict: 'breaking', why: 'consumers that read it get nothing' },
  },
  'property-made-required': {
    when: 'an optional property became required',
    request: { verdict: 'breaking', why: 'requests without it are now rejected with 400' },
    read: { verdict: 'non-breaking', why: 'consumers handled it being absent and now always get it' },
  },
  'property-made-required-with-default': {
    when: 'an optional request property with a `default` became required',
    request: {
      verdict: 'non-breaking',
      why: 'the chassis (Fastify ajv, useDefaults) fills the default in when a consumer omits it',
    },
    read: null,
  },
  'property-made-optional': {
    when: 'a required property became optional',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'breaking', why: 'consumers that rely on it get nothing when it is absent' },
  },
  'additional-properties-closed': {
    when: '`additionalProperties: false` where other properties were allowed',
    request: { verdict: 'breaking', why: 'requests with a property the schema does not list are now rejected' },
    read: { verdict: 'non-breaking', why: SEEN_BEFORE },
  },
  'additional-properties-opened': {
    when: 'properties the schema does not list are allowed where `additionalProperties` was false',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'non-breaking', why: 'consumers ignore fields they do not read (tolerant reader)' },
  },
  'variant-added': {
    when: 'a `oneOf`/`anyOf` gained a variant (a plain schema counts as one variant)',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'breaking', why: 'consumers have no case for the new variant' },
  },
  'variant-removed': {
    when: 'a `oneOf`/`anyOf` lost a variant',
    request: { verdict: 'breaking', why: 'consumers that send the removed variant are rejected with 400' },
    read: { verdict: 'non-breaking', why: 'consumers never get the variant again; their case for it is simply unused' },
  },
  'combinator-widened': {
    when: '`oneOf` became `anyOf` (a value may now match several variants)',
    request: { verdict: 'non-breaking', why: STILL_VALID },
    read: { verdict: 'breaking', why: 'consumers that pick the one matching variant may now find several' },
  },
  'combinator-narrowed': {
    when: '`anyOf` became `oneOf` (a value must match exactly one variant)',
    request: { verdict: 'breaking', why: 'requests that matched several variants are now rejected with 400' },
    read: { verdict: 'non-breaking', why: SEEN_BEFORE },
  },
  'default-added': {
    when: 'a request value gained a `default`',
    request: { verdict: 'non-breaking', why: 'consumers that send the value are served as before' },
    read: null,
  },
  'default-changed': {
    when: "a request value's `default` changed or was removed",
    request: { verdict: 'breaking', why: 'consumers that omit the value silently get another behaviour' },
    read: null,
  },
  'schema-deprecated': {
    when: 'a schema (usually a property) gets `deprecated: true`',
    request: { verdict: 'non-breaking', why: 'it is still accepted; consumers are told to stop sending it' },
    read: { verdict: 'non-breaking', why: 'it is still sent; consumers are told to stop reading it' },
  },
} as const satisfies Record<string, SchemaConstruct>;

export type ContractRuleId = keyof typeof CONTRACT_RULES;
export type SchemaConstructId = keyof typeof SCHEMA_CONSTRUCTS;

/** The schema constructs, in catalogue order. */
export const SCHEMA_CONSTRUCT_IDS = Object.keys(SCHEMA_CONSTRUCTS) as SchemaConstructId[];

export interface CatalogueRule {
  id: string;
  verdict: Verdict;
  when: string;
  why: string;
  /** Schema rules only: the construct and the side (`request-type-narrowed` = type-narrowed on the request side). */
  schema?: { construct: SchemaConstructId; side: Side };
}

const SIDES: readonly Side[] = ['request', 'response', 'event'];

const sideRule = (construct: SchemaConstruct, side: Side): SideRule | null =>
  side === 'request' ? construct.request : construct.read;

/** Every rule id the engine can report, in catalogue order: contract rules, then each schema construct per side. */
export const RULES: ReadonlyMap<string, CatalogueRule> = uniqueIds([
  ...Object.entries(CONTRACT_RULES).map(([id, rule]): [string, CatalogueRule] => [id, { id, ...rule }]),
  ...(Object.entries(SCHEMA_CONSTRUCTS) as [SchemaConstructId, SchemaConstruct][]).flatMap(([construct, spec]) =>
    SIDES.flatMap((side): [string, CatalogueRule][] => {
      const rule = sideRule(spec, side);
      const id = `${side}-${construct}`;
      if (!rule) return [];
      return [[id, { id, verdict: rule.verdict, when: spec.when, why: rule.why, schema: { construct, side } }]];
    }),
  ),
]);

/** A Map, refusing an id defined twice (a schema rule `<side>-<construct>` could shadow a contract rule). */
function uniqueIds(entries: [string, CatalogueRule][]): Map<string, CatalogueRule> {
  const rules = new Map<string, CatalogueRule>();
  for (const [id, rule] of entries) {
    if (rules.has(id)) throw new Error(`Rule id ${id} is defined twice in rules.ts.`);
    rules.set(id, rule);
  }
  return rules;
}

/** A contract-level change: `what` says what changed (one line); the verdict and the reason come from the rule. */
export function contractChange(rule: ContractRuleId, location: string, what: string): ContractChange {
  const spec: RuleSpec = CONTRACT_RULES[rule];
  return { rule, verdict: spec.verdict, location, message: `${what} — ${spec.why}` };
}

/** A schema change on one side; the rule id is `<side>-<construct>`. */
export function schemaChange(construct: SchemaConstructId, side: Side, location: string, what: string): ContractChange {
  const rule = sideRule(SCHEMA_CONSTRUCTS[construct], side);
  // The detectors report request-only constructs on the request side only: anything else is a bug in this engine.
  if (!rule) throw new Error(`Schema rule ${construct} does not apply to the ${side} side (at ${location}).`);
  return { rule: `${side}-${construct}`, verdict: rule.verdict, location, message: `${what} — ${rule.why}` };
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** The README's two rule tables, generated from the catalogue (rules.spec.ts checks the README holds them). */
export function rulesMarkdown(): string {
  const contract = [
    '| rule | verdict | when | why |',
    '| --- | --- | --- | --- |',
    ...Object.entries(CONTRACT_RULES).map(
      ([id, rule]) => `| \`${id}\` | ${rule.verdict} | ${cell(rule.when)} | ${cell(rule.why)} |`,
    ),
  ];
  const verdictOf = (rule: SideRule | null) => (rule ? rule.verdict : '—');
  const schema = [
    '| construct | `request-…` | `response-…`, `event-…` | when |',
    '| --- | --- | --- | --- |',
    ...Object.entries(SCHEMA_CONSTRUCTS).map(
      ([construct, spec]: [string, SchemaConstruct]) =>
        `| \`${construct}\` | ${verdictOf(spec.request)} | ${verdictOf(spec.read)} | ${cell(spec.when)} |`,
    ),
  ];
  return [...contract, '', ...schema].join('\n');
}
