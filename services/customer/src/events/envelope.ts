/**
 * Checks every event shares: a delivered message is a CloudEvents 1.0 envelope of the expected type, by the rules of
 * the spec (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/spec.md) and its JSON format
 * (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md).
 */

/** A delivered message that is not a valid envelope: the consumer rejects it before its handler runs. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';

  constructor(
    readonly expectedType: string,
    readonly problems: string[],
  ) {
    super(`Invalid ${expectedType} event: ${problems.join('; ')}`);
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** The JSON format: an attribute that is absent, or null, is unset. */
const isUnset = (value: unknown): value is null | undefined => value === undefined || value === null;

/** Members of a JSON envelope that are not context attributes: the payload, as JSON or as base64. */
const PAYLOAD_MEMBERS = new Set(['data', 'data_base64']);
/** The attributes checked one by one below; any other is an extension, checked for its type only. */
const CHECKED_ATTRIBUTES = new Set([
  ...['specversion', 'id', 'type', 'source', 'time', 'datacontenttype', 'dataschema', 'subject'],
  ...['correlationid', 'traceparent', 'tracestate'],
]);
/** "CloudEvents attribute names MUST consist of lower-case letters ('a' to 'z') or digits ('0' to '9')." */
const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
/** The CloudEvents Integer type: 32-bit signed. */
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/** RFC 3339 date-time (section 5.6): full-date "T" full-time, with "Z" or a numeric offset. */
const RFC3339_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

export function isRfc3339Timestamp(value: unknown): boolean {
  const match = typeof value === 'string' ? RFC3339_DATE_TIME.exec(value) : null;
  if (!match) return false;
  // The pattern has matched: every part but the offset ("Z") is there.
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offsetHour = 0, offsetMinute = 0] = match
    .slice(1)
    .map((part) => Number(part ?? 0));
  const leapYear = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leapYear ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  // Second 60 is a leap second.
  const inRange = day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 60;
  return inRange && offsetHour <= 23 && offsetMinute <= 59;
}

// RFC 3986 character classes.
const PCT_ENCODED = '%[0-9A-Fa-f]{2}';
const UNRESERVED_OR_SUB_DELIM = "A-Za-z0-9\\-._~!$&'()*+,;=";
const chars = (extra: string) => new RegExp(`^(?:[${UNRESERVED_OR_SUB_DELIM}${extra}]|${PCT_ENCODED})*$`);
const PATH = chars(':@/');
const QUERY_OR_FRAGMENT = chars(':@/?');
const USERINFO = chars(':');
const REG_NAME = chars('');
const IP_LITERAL = new RegExp(`^\\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\\.[${UNRESERVED_OR_SUB_DELIM}:]+)\\]$`);
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
/** RFC 3986 appendix B: scheme, authority, path, query, fragment. */
const URI_PARTS = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;
const AUTHORITY_PARTS = /^(?:([^@]*)@)?(\[[^\]]*\]|[^:]*)(?::(\d*))?$/;

/** An RFC 3986 URI-reference (section 4.1): a URI (`urn:…`, `https://…`) or a relative reference (`/catalog`). */
export function isUriReference(value: unknown): boolean {
  const parts = typeof value === 'string' ? URI_PARTS.exec(value) : null;
  if (!parts) return false;
  const [, scheme, authority, path = '', query = '', fragment = ''] = parts;
  if (scheme !== undefined && !SCHEME.test(scheme)) return false;
  if (authority !== undefined && !isAuthority(authority)) return false;
  return PATH.test(path) && QUERY_OR_FRAGMENT.test(query) && QUERY_OR_FRAGMENT.test(fragment);
}

/** A URI-reference with a scheme and no fragment (RFC 3986 section 4.3's absolute-URI, e.g. a schema's URL). */
function isAbsoluteUri(value: string): boolean {
  return URI_PARTS.exec(value)?.[1] !== undefined && isUriReference(value) && !value.includes('#');
}

function isAuthority(authority: string): boolean {
  const parts = AUTHORITY_PARTS.exec(authority);
  if (!parts) return false;
  const [, userinfo = '', host = ''] = parts;
  return USERINFO.test(userinfo) && (REG_NAME.test(host) || IP_LITERAL.test(host));
}

/** An RFC 2046 media type, `type/subtype` and parameters, in HTTP's syntax (RFC 9110 section 8.3.1). */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^(${TOKEN})/(${TOKEN})(?:[ \t]*;[ \t]*${TOKEN}=(?:${TOKEN}|"(?:[^"\\\\]|\\\\.)*"))*$`);

/** A media type saying the data is JSON: `application/json` or any `…+json`, in any case, with any parameters. */
function isJsonMediaType(value: unknown): boolean {
  const match = typeof value === 'string' ? MEDIA_TYPE.exec(value) : null;
  const [type = '', subtype = ''] = match ? [match[1]?.toLowerCase(), match[2]?.toLowerCase()] : [];
  return (type === 'application' && subtype === 'json') || subtype.endsWith('+json');
}

/** A value the CloudEvents type system has in JSON: a string, a boolean or a 32-bit integer (null is unset). */
function isAttributeValue(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && value >= INT32.min && value <= INT32.max;
  return isUnset(value) || typeof value === 'string' || typeof value === 'boolean';
}

/** Why `message` is not an envelope of `type` (its `data` is the event's own to check); empty when it is one. */
export function envelopeProblems(message: unknown, type: string): string[] {
  if (!isRecord(message)) return ['the message is not a JSON object'];
  const problems: string[] = [];
  for (const [name, value] of Object.entries(message)) {
    if (PAYLOAD_MEMBERS.has(name) || CHECKED_ATTRIBUTES.has(name)) continue;
    if (!ATTRIBUTE_NAME.test(name)) {
      problems.push(`attribute names are lower-case letters and digits only, not ${JSON.stringify(name.slice(0, 40))}`);
    } else if (!isAttributeValue(value)) {
      problems.push(`extension ${name} must be a string, a boolean or a 32-bit integer`);
    }
  }
  if (message.specversion !== '1.0') problems.push('specversion must be "1.0"');
  if (message.type !== type) problems.push(`type must be "${type}"`);
  for (const field of ['id', 'correlationid', 'traceparent']) {
    if (!isNonEmptyString(message[field])) problems.push(`${field} must be a non-empty string`);
  }
  if (!isNonEmptyString(message.source) || !isUriReference(message.source)) {
    problems.push('source must be a non-empty URI-reference (RFC 3986), e.g. "urn:musiccorp:service:catalog"');
  }
  if (!isRfc3339Timestamp(message.time)) {
    problems.push('time must be an RFC 3339 timestamp, e.g. "2026-12-02T10:15:00Z"');
  }
  if (!isUnset(message.datacontenttype) && !isJsonMediaType(message.datacontenttype)) {
    problems.push('datacontenttype, when present, must be a JSON media type (RFC 2046), e.g. "application/json"');
  }
  if (!isUnset(message.dataschema) && !(isNonEmptyString(message.dataschema) && isAbsoluteUri(message.dataschema))) {
    problems.push('dataschema, when present, must be an absolute URI (RFC 3986)');
  }
  if (!isUnset(message.subject) && !isNonEmptyString(message.subject)) {
    problems.push('subject, when present, must be a non-empty string');
  }
  if (!isUnset(message.tracestate) && typeof message.tracestate !== 'string') {
    problems.push('tracestate, when present, must be a string');
  }
  if ('data_base64' in message) problems.push('data_base64 is not accepted: this event carries JSON data');
  if (!isRecord(message.data)) problems.push('data must be a JSON object');
  return problems;
}
