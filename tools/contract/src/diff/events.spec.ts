import { describe, expect, it } from 'vitest';
import { eventContract, type JsonDocument, editedCopy, type JsonPath } from './case-table';
import { diffEventContracts } from './events';
import { InvalidContractError } from './types';

const TYPE = 'com.musiccorp.order.placed';
const valid = (total: Record<string, unknown> = { type: 'number' }): JsonDocument =>
  eventContract([
    {
      key: 'OrderPlaced',
      type: TYPE,
      payload: { type: 'object', required: ['total'], properties: { total: total } },
    },
  ]);

type Path = JsonPath;

/** A copy of `valid()` with the value at each path replaced (`undefined`: deleted). */
const broken = (...edits: [Path, unknown][]): JsonDocument => editedCopy(valid(), ...edits);

const MESSAGE: Path = ['components', 'messages', 'OrderPlaced'];
const OPERATION: Path = ['operations', 'publishOrderPlaced'];

function thrown(base: unknown, head: unknown): InvalidContractError {
  try {
    diffEventContracts(base, head);
  } catch (error) {
    if (error instanceof InvalidContractError) return error;
    throw error;
  }
  throw new Error('diffEventContracts accepted the documents');
}

describe('diffEventContracts refuses documents it cannot compare', () => {
  it.each([
    [
      'a string',
      'events.json',
      '',
      'base AsyncAPI contract, at (document root): the document is string, not a JSON object. Fix: pass the parsed contents of services/<name>/contract/events.json.',
    ],
    [
      'AsyncAPI 2.6',
      broken([['asyncapi'], '2.6.0']),
      '/asyncapi',
      'base AsyncAPI contract, at /asyncapi: "asyncapi" is "2.6.0", but this engine compares AsyncAPI 3.0 documents. Fix: regenerate events.json (it is written as AsyncAPI "3.0.0").',
    ],
    ['no info.version', broken([['info', 'version'], undefined]), '/info/version', 'info.version is missing'],
    [
      'info.version not semver',
      broken([['info', 'version'], '1']),
      '/info/version',
      'info.version "1" is not semver x.y.z',
    ],
    [
      'a dangling message $ref',
      broken([MESSAGE, undefined]),
      '/channels/OrderPlaced/messages/OrderPlaced/$ref',
      '$ref "#/components/messages/OrderPlaced" points at nothing',
    ],
    [
      'a message without a type',
      broken([[...MESSAGE, 'name'], undefined], [['channels', 'OrderPlaced', 'address'], undefined]),
      '/channels/OrderPlaced/messages/OrderPlaced',
      'message OrderPlaced has no name and its channel no address, so its CloudEvents type is unknown',
    ],
    [
      'two messages of one type',
      broken(
        [['components', 'messages', 'Copy'], { name: TYPE, payload: { type: 'object' } }],
        [['channels', 'Copy'], { address: TYPE, messages: { Copy: { $ref: '#/components/messages/Copy' } } }],
      ),
      '/channels/Copy/messages/Copy',
      `two different messages have the CloudEvents type ${TYPE}`,
    ],
    [
      'a receive operation',
      broken([[...OPERATION, 'action'], 'receive']),
      '/operations/publishOrderPlaced/action',
      'operation publishOrderPlaced has action "receive"; events.json lists the events the service publishes. Fix: use "action": "send"',
    ],
    [
      'an operation without a channel',
      broken([[...OPERATION, 'channel'], undefined]),
      '/operations/publishOrderPlaced/channel',
      'operation publishOrderPlaced does not refer to a channel',
    ],
    [
      'an Avro payload',
      broken([[...MESSAGE, 'payload'], { schemaFormat: 'application/vnd.apache.avro;version=1.9.0', schema: {} }]),
      '/channels/OrderPlaced/messages/OrderPlaced/payload/schemaFormat',
      'is not a JSON Schema format this engine compares',
    ],
    ['channels not an object', broken([['channels'], []]), '/channels', '"channels" is not an object'],
  ])('%s', (_name, document, pointer, message) => {
    const error = thrown(document, valid());
    expect(error.message).toContain(message);
    expect(error.pointer).toBe(pointer);
    expect(error.document).toBe('base');
  });

  it('names the head when the head is the invalid one', () => {
    expect(thrown(valid(), broken([['asyncapi'], '3.1'])).message).toMatch(/^head AsyncAPI contract, at \/asyncapi: /);
  });
});

describe('diffEventContracts', () => {
  it('says where in the event data, and why', () => {
    expect(diffEventContracts(valid({ type: 'number' }), valid({ type: 'string' }))).toEqual([
      {
        rule: 'event-type-changed',
        verdict: 'breaking',
        location: `event ${TYPE} data .total`,
        message: 'type number → string — consumers parse values of the old type',
      },
    ]);
  });

  it('reads inline messages, multi-format JSON Schema payloads and payload $refs alike', () => {
    const inline: JsonDocument = {
      asyncapi: '3.0.0',
      info: { title: 'order-processor events', version: '1.0.0' },
      channels: {
        Orders: {
          address: TYPE,
          messages: {
            OrderPlaced: {
              name: TYPE,
              payload: {
                schemaFormat: 'application/schema+json;version=draft-07',
                schema: { $ref: '#/components/schemas/OrderPlacedData' },
              },
            },
          },
        },
      },
      components: {
        schemas: {
          OrderPlacedData: { type: 'object', required: ['total'], properties: { total: { type: 'number' } } },
        },
      },
    };
    expect(diffEventContracts(valid(), inline)).toEqual([]);
    const narrowed = structuredClone(inline);
    narrowed['components'] = {
      schemas: { OrderPlacedData: { type: 'object', required: ['total'], properties: { total: { type: 'integer' } } } },
    };
    expect(diffEventContracts(inline, narrowed).map((change) => change.rule)).toEqual(['event-type-narrowed']);
  });

  it('treats absent or empty channels as no events', () => {
    const none = { asyncapi: '3.0.0', info: { title: 'payment events', version: '1.0.0' } };
    expect(diffEventContracts(none, eventContract([]))).toEqual([]);
    expect(diffEventContracts(none, valid()).map((change) => change.rule)).toEqual(['event-added']);
  });
});
