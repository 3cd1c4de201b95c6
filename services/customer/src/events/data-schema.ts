import Ajv, { type AnySchema, type ErrorObject } from 'ajv';

/**
 * Checks an event's `data` with the JSON Schema it declares, the one contract/events.json publishes, so what
 * consumers accept and what the contract says cannot disagree. Draft-07, as AsyncAPI 3 payloads are; `format` is not
 * checked here (ajv refuses a schema that uses one): describe such a field with a `pattern`.
 */
const ajv = new Ajv({ allErrors: true, strict: true });

/** A check of `data` against `schema`: one problem per rule it breaks, naming the field; empty when it is valid. */
export function dataValidator(schema: AnySchema): (data: unknown) => string[] {
  const validate = ajv.compile(schema);
  return (data) => (validate(data) ? [] : (validate.errors ?? []).map(describeError));
}

function describeError(error: ErrorObject): string {
  return `data${error.instancePath.replaceAll('/', '.')} ${error.message ?? 'is invalid'}`;
}
