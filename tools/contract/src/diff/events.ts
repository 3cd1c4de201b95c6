/**
 * diffEventContracts: every change between two AsyncAPI 3.0 documents (services/<name>/contract/events.json: the
 * events a service publishes), classified from a subscriber's side: the producer writes an event's data and the
 * consumer reads it, so data may only narrow, like a response.
 *
 * An event's identity is its CloudEvents type: the message's `name`, else its channel's `address`. Its data schema is
 * the message's `payload` (a plain JSON Schema, or an AsyncAPI multi-format object's `schema`); its content type the
 * message's `contentType`, else the document's `defaultContentType`. Empty or absent `channels` = no events. Changes
 * come in document order: the base's events first, then those only the head has.
 */
import { checkInfoVersion, childPointer, ContractDocument, contractError, isObject } from './document';
import { contractChange } from './rules';
import { SchemaComparison } from './schema';
import type { ContractChange, DocumentRole } from './types';

interface EventEntry {
  type: string;
  deprecated: boolean;
  contentType: string;
  payload: unknown;
  /** The message object, to tell one message referenced from two channels from two messages of one type. */
  message: object;
}

interface EventContract {
  doc: ContractDocument;
  events: Map<string, EventEntry>;
}

/** Multi-format payloads whose schema this engine reads as JSON Schema. */
const JSON_SCHEMA_FORMAT =
  /^application\/(vnd\.aai\.asyncapi(\+json|\+yaml)?|schema\+json|schema\+yaml)(;version=[\w.-]+)?$/;

export function diffEventContracts(base: unknown, head: unknown): ContractChange[] {
  const before = readEventContract(base, 'base');
  const after = readEventContract(head, 'head');
  const changes: ContractChange[] = [];
  for (const [type, event] of before.events) {
    const at = `event ${type}`;
    const next = after.events.get(type);
    if (!next) {
      changes.push(contractChange('event-removed', at, `event type ${type} is no longer published`));
      continue;
    }
    if (!event.deprecated && next.deprecated)
      changes.push(contractChange('event-deprecated', at, `event type ${type} marked deprecated`));
    if (event.contentType.toLowerCase() !== next.contentType.toLowerCase())
      changes.push(
        contractChange('event-content-type-changed', at, `content type ${event.contentType} → ${next.contentType}`),
      );
    new SchemaComparison(before.doc, after.doc, 'event', `${at} data`, changes).run(event.payload, next.payload);
  }
  for (const [type] of after.events)
    if (!before.events.has(type))
      changes.push(contractChange('event-added', `event ${type}`, `new event type ${type}`));
  return changes;
}

/** Validates the document's structure and reads its events; throws InvalidContractError. */
function readEventContract(input: unknown, role: DocumentRole): EventContract {
  if (!isObject(input))
    throw contractError(
      role,
      'AsyncAPI',
      '',
      `the document is ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}, not a JSON object`,
      'pass the parsed contents of services/<name>/contract/events.json',
    );
  const doc = new ContractDocument(input, role, 'AsyncAPI');
  const version = input['asyncapi'];
  if (typeof version !== 'string' || !/^3\.0\.\d+$/.test(version))
    throw doc.error(
      '/asyncapi',
      `"asyncapi" is ${JSON.stringify(version) ?? 'missing'}, but this engine compares AsyncAPI 3.0 documents`,
      'regenerate events.json (it is written as AsyncAPI "3.0.0")',
    );
  checkInfoVersion(doc, input);
  const defaultContentType = input['defaultContentType'] ?? 'application/json';
  if (typeof defaultContentType !== 'string')
    throw doc.error('/defaultContentType', 'defaultContentType is not a string', 'set it to "application/json"');

  const channels = input['channels'] ?? {};
  if (!isObject(channels)) throw doc.error('/channels', '"channels" is not an object', 'regenerate events.json');
  doc.checkReferences();
  const events = new Map<string, EventEntry>();
  for (const [key, rawChannel] of Object.entries(channels)) {
    const pointer = childPointer('/channels', key);
    const channel = doc.resolve(rawChannel, pointer).value;
    if (!isObject(channel)) throw doc.error(pointer, `channel ${key} is not an object`, 'regenerate events.json');
    const address = channel['address'];
    if (address !== undefined && address !== null && typeof address !== 'string')
      throw doc.error(`${pointer}/address`, 'the address is not a string', 'set it to the CloudEvents type');
    const messages = channel['messages'] ?? {};
    if (!isObject(messages))
      throw doc.error(`${pointer}/messages`, '"messages" is not an object', 'regenerate events.json');
    for (const [messageKey, rawMessage] of Object.entries(messages)) {
      const at = childPointer(pointer, 'messages', messageKey);
      const message = doc.resolve(rawMessage, at).value;
      if (!isObject(message)) throw doc.error(at, `message ${messageKey} is not an object`, 'regenerate events.json');
      const type = typeof message['name'] === 'string' ? message['name'] : address;
      if (typeof type !== 'string' || type === '')
        throw doc.error(
          at,
          `message ${messageKey} has no name and its channel no address, so its CloudEvents type is unknown`,
          'set the message\'s "name" (and the channel\'s "address") to the CloudEvents type, e.g. "com.musiccorp.order.placed"',
        );
      const contentType = message['contentType'] ?? defaultContentType;
      if (typeof contentType !== 'string')
        throw doc.error(`${at}/contentType`, 'contentType is not a string', 'set it to "application/json"');
      const existing = events.get(type);
      if (existing && existing.message !== message)
        throw doc.error(
          at,
          `two different messages have the CloudEvents type ${type}`,
          'give each event type one message (components/messages) and refer to it from its channel',
        );
      events.set(type, {
        type,
        deprecated: message['deprecated'] === true,
        contentType,
        payload: payloadSchema(doc, message['payload'], `${at}/payload`),
        message,
      });
    }
  }
  checkOperations(doc, input['operations']);
  return { doc, events };
}

function payloadSchema(doc: ContractDocument, raw: unknown, pointer: string): unknown {
  const payload = doc.resolve(raw, pointer).value;
  if (!isObject(payload) || payload['schemaFormat'] === undefined) return payload;
  const format = payload['schemaFormat'];
  if (typeof format !== 'string' || !JSON_SCHEMA_FORMAT.test(format))
    throw doc.error(
      `${pointer}/schemaFormat`,
      `schemaFormat ${JSON.stringify(format)} is not a JSON Schema format this engine compares`,
      'write the payload as a plain JSON Schema (what the generator emits)',
    );
  return payload['schema'];
}

/** Operations say what the service does with a channel: events.json lists what it publishes, so only `send`. */
function checkOperations(doc: ContractDocument, raw: unknown): void {
  if (raw === undefined) return;
  if (!isObject(raw)) throw doc.error('/operations', '"operations" is not an object', 'regenerate events.json');
  for (const [key, rawOperation] of Object.entries(raw)) {
    const pointer = childPointer('/operations', key);
    const operation = doc.resolve(rawOperation, pointer).value;
    if (!isObject(operation)) throw doc.error(pointer, `operation ${key} is not an object`, 'regenerate events.json');
    if (operation['action'] !== 'send')
      throw doc.error(
        `${pointer}/action`,
        `operation ${key} has action ${JSON.stringify(operation['action'])}; events.json lists the events the service publishes`,
        'use "action": "send" (events the service consumes belong in their producer\'s contract)',
      );
    const channel = operation['channel'];
    if (!isObject(channel) || typeof channel['$ref'] !== 'string' || !channel['$ref'].startsWith('#/channels/'))
      throw doc.error(
        `${pointer}/channel`,
        `operation ${key} does not refer to a channel`,
        'set "channel": {"$ref": "#/channels/<name>"}',
      );
  }
}
