/** Checks every event shares: a delivered message is a CloudEvents 1.0 envelope of the expected type. */

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

/** Why `message` is not an envelope of `type` (its `data` is the event's own to check); empty when it is one. */
export function envelopeProblems(message: unknown, type: string): string[] {
  if (!isRecord(message)) return ['the message is not a JSON object'];
  const problems: string[] = [];
  if (message.specversion !== '1.0') problems.push('specversion must be "1.0"');
  if (message.type !== type) problems.push(`type must be "${type}"`);
  for (const field of ['id', 'source', 'correlationid', 'traceparent']) {
    if (!isNonEmptyString(message[field])) problems.push(`${field} must be a non-empty string`);
  }
  if (typeof message.time !== 'string' || Number.isNaN(Date.parse(message.time))) {
    problems.push('time must be an RFC 3339 timestamp');
  }
  if (message.datacontenttype !== 'application/json') problems.push('datacontenttype must be "application/json"');
  if (!isRecord(message.data)) problems.push('data must be a JSON object');
  return problems;
}
