/**
 * diffHttpContracts: every change between two OpenAPI 3.0 documents (services/<name>/contract/openapi.json, as
 * @fastify/swagger writes them), classified as breaking or not for a consumer of the head.
 *
 * A path's identity is its template with the parameter names left out (`/albums/{id}` and `/albums/{sku}` are one
 * path, its parameter renamed); an operation's is its method on that path; a parameter's is where it goes and its
 * name (header names case-insensitive), a path parameter's its position in the template. Changes come in document
 * order: the base's paths and operations first, then those only the head has.
 */
import { checkInfoVersion, childPointer, ContractDocument, contractError, isObject } from './document';
import { contractChange } from './rules';
import { SchemaComparison } from './schema';
import type { ContractChange, DocumentRole } from './types';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PARAMETER_PLACES = ['path', 'query', 'header', 'cookie'];
const STATUS = /^([1-5])(\d\d|XX)$/;

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: unknown;
}

interface Body {
  required: boolean;
  /** Media type (lower case) → [as written, schema]. */
  content: Map<string, [string, unknown]>;
}

interface Response {
  content: Map<string, [string, unknown]>;
  /** Header name (lower case) → header. */
  headers: Map<string, { name: string; required: boolean; schema: unknown }>;
}

interface Operation {
  doc: ContractDocument;
  label: string;
  deprecated: boolean;
  /** `query:limit`, `header:x-request-id`, `path:0` → parameter. */
  parameters: Map<string, Parameter>;
  body: Body | null;
  responses: Map<string, Response>;
}

interface PathEntry {
  template: string;
  parameterNames: string[];
  operations: Map<string, Operation>;
}

interface HttpContract {
  doc: ContractDocument;
  paths: Map<string, PathEntry>;
}

const templateParameters = (template: string) => [...template.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? '');
const pathIdentity = (template: string) => template.replace(/\{[^}]*\}/g, '{}');

export function diffHttpContracts(base: unknown, head: unknown): ContractChange[] {
  const before = readHttpContract(base, 'base');
  const after = readHttpContract(head, 'head');
  const changes: ContractChange[] = [];
  for (const [identity, path] of before.paths) {
    const next = after.paths.get(identity);
    if (!next) changes.push(contractChange('path-removed', path.template, `path ${path.template} removed`));
    else diffPath(before, after, path, next, changes);
  }
  for (const [identity, path] of after.paths)
    if (!before.paths.has(identity))
      changes.push(contractChange('path-added', path.template, `new path ${path.template}`));
  return changes;
}

function diffPath(
  before: HttpContract,
  after: HttpContract,
  path: PathEntry,
  next: PathEntry,
  changes: ContractChange[],
) {
  if (path.parameterNames.join('/') !== next.parameterNames.join('/'))
    changes.push(
      contractChange('path-parameter-renamed', next.template, `path ${path.template} is now ${next.template}`),
    );
  for (const method of METHODS) {
    const operation = path.operations.get(method);
    const nextOperation = next.operations.get(method);
    if (operation && !nextOperation)
      changes.push(contractChange('operation-removed', operation.label, `operation ${operation.label} removed`));
    else if (!operation && nextOperation)
      changes.push(contractChange('operation-added', nextOperation.label, `new operation ${nextOperation.label}`));
    else if (operation && nextOperation) diffOperation(before, after, operation, nextOperation, changes);
  }
}

function diffOperation(
  before: HttpContract,
  after: HttpContract,
  operation: Operation,
  next: Operation,
  changes: ContractChange[],
) {
  const label = next.label;
  const push = (change: ContractChange) => changes.push(change);
  const compareSchemas = (side: 'request' | 'response', location: string, base: unknown, head: unknown) =>
    new SchemaComparison(before.doc, after.doc, side, location, changes).run(base, head);

  if (!operation.deprecated && next.deprecated)
    push(contractChange('operation-deprecated', label, `operation ${label} marked deprecated`));

  diffParameters(operation, next, push, compareSchemas);

  const [body, nextBody] = [operation.body, next.body];
  const requestAt = `${label} → request`;
  if (!body && nextBody)
    push(
      nextBody.required
        ? contractChange('request-body-required-added', requestAt, 'a request body is now required')
        : contractChange('request-body-added', requestAt, 'an optional request body is now accepted'),
    );
  else if (body && !nextBody) push(contractChange('request-body-removed', requestAt, 'the request body is gone'));
  else if (body && nextBody) {
    if (!body.required && nextBody.required)
      push(contractChange('request-body-made-required', requestAt, 'the request body is now required'));
    if (body.required && !nextBody.required)
      push(contractChange('request-body-made-optional', requestAt, 'the request body is now optional'));
    diffContent(body.content, nextBody.content, requestAt, 'request', push, compareSchemas);
  }

  diffResponses(operation, next, push, compareSchemas);
}

type Push = (change: ContractChange) => void;
type CompareSchemas = (side: 'request' | 'response', location: string, base: unknown, head: unknown) => void;

function diffParameters(operation: Operation, next: Operation, push: Push, compareSchemas: CompareSchemas) {
  const label = next.label;
  const at = (parameter: Parameter) => `${label} → ${parameter.in} ${parameter.name}`;
  const removed = [...operation.parameters].filter(([key]) => !next.parameters.has(key)).map(([, p]) => p);
  const added = [...next.parameters].filter(([key]) => !operation.parameters.has(key)).map(([, p]) => p);

  // Moved: the same name elsewhere. Renamed: the only one removed from a place and the only one added there, alike.
  const moved = new Map<Parameter, Parameter>();
  for (const gone of removed) {
    const there = added.find((p) => p.name.toLowerCase() === gone.name.toLowerCase() && p.in !== gone.in);
    if (there && ![...moved.values()].includes(there)) moved.set(gone, there);
  }
  const renamed = new Map<Parameter, Parameter>();
  for (const place of PARAMETER_PLACES) {
    const gone = removed.filter((p) => p.in === place && !moved.has(p));
    const come = added.filter((p) => p.in === place && ![...moved.values()].includes(p));
    const [old, fresh] = [gone[0], come[0]];
    if (gone.length === 1 && come.length === 1 && old && fresh && old.required === fresh.required) {
      if (sameSchema(operation, old, next, fresh)) renamed.set(old, fresh);
    }
  }
  const matched = new Set([...moved.values(), ...renamed.values()]);

  for (const [key, parameter] of operation.parameters) {
    const now = next.parameters.get(key);
    if (now) {
      diffParameter(next, parameter, now, at(now), push);
      compareSchemas('request', at(now), parameter.schema, now.schema);
      continue;
    }
    const movedTo = moved.get(parameter);
    const renamedTo = renamed.get(parameter);
    if (movedTo)
      push(
        contractChange(
          'parameter-moved',
          at(parameter),
          `${parameter.in} parameter ${parameter.name} is now a ${movedTo.in} parameter`,
        ),
      );
    else if (renamedTo)
      push(
        contractChange(
          'parameter-renamed',
          at(parameter),
          `${parameter.in} parameter ${parameter.name} is now ${renamedTo.name}`,
        ),
      );
    else
      push(contractChange('parameter-removed', at(parameter), `${parameter.in} parameter ${parameter.name} removed`));
  }
  for (const parameter of added) {
    if (matched.has(parameter)) continue;
    const what = `new ${parameter.required ? 'required' : 'optional'} ${parameter.in} parameter ${parameter.name}`;
    if (!parameter.required) push(contractChange('parameter-added', at(parameter), what));
    else if (hasDefault(next, parameter))
      push(contractChange('parameter-required-added-with-default', at(parameter), `${what}, with a default`));
    else push(contractChange('parameter-required-added', at(parameter), what));
  }
}

function diffParameter(next: Operation, parameter: Parameter, now: Parameter, location: string, push: Push) {
  if (!parameter.required && now.required) {
    const defaulted = hasDefault(next, now);
    push(
      contractChange(
        defaulted ? 'parameter-made-required-with-default' : 'parameter-made-required',
        location,
        `${now.in} parameter ${now.name} is now required${defaulted ? ', with a default' : ''}`,
      ),
    );
  } else if (parameter.required && !now.required)
    push(contractChange('parameter-made-optional', location, `${now.in} parameter ${now.name} is now optional`));
}

/** The parameter's schema has a default, which the chassis (ajv useDefaults) fills in. */
function hasDefault(operation: Operation, parameter: Parameter): boolean {
  const schema = operation.doc.resolve(parameter.schema, '').value;
  return isObject(schema) && Object.hasOwn(schema, 'default');
}

const sameSchema = (operation: Operation, old: Parameter, next: Operation, fresh: Parameter) =>
  operation.doc.canonical(old.schema ?? {}) === next.doc.canonical(fresh.schema ?? {});

function diffContent(
  content: Map<string, [string, unknown]>,
  next: Map<string, [string, unknown]>,
  at: string,
  side: 'request' | 'response',
  push: Push,
  compareSchemas: CompareSchemas,
) {
  for (const [type, [shown, schema]] of content) {
    const now = next.get(type);
    if (now) compareSchemas(side, `${at} ${now[0]}`, schema, now[1]);
    else push(contractChange(`${side}-content-type-removed`, `${at} ${shown}`, `media type ${shown} removed`));
  }
  for (const [type, [shown]] of next)
    if (!content.has(type))
      push(contractChange(`${side}-content-type-added`, `${at} ${shown}`, `new media type ${shown}`));
}

const isSuccess = (code: string) => code !== 'default' && Number(code[0]) <= 3;

function diffResponses(operation: Operation, next: Operation, push: Push, compareSchemas: CompareSchemas) {
  const label = next.label;
  const removed = [...operation.responses.keys()].filter((code) => !next.responses.has(code));
  const added = [...next.responses.keys()].filter((code) => !operation.responses.has(code));
  const [removedSuccess, addedSuccess] = [removed.filter(isSuccess), added.filter(isSuccess)];
  const changedSuccess = removedSuccess.length === 1 && addedSuccess.length === 1;
  if (changedSuccess)
    push(
      contractChange(
        'success-status-changed',
        `${label} → ${addedSuccess[0]}`,
        `success status ${removedSuccess[0]} is now ${addedSuccess[0]}`,
      ),
    );

  for (const [code, response] of operation.responses) {
    const now = next.responses.get(code);
    const at = `${label} → ${code}`;
    if (!now) {
      if (!isSuccess(code)) push(contractChange('error-status-removed', at, `error status ${code} removed`));
      else if (!changedSuccess) push(contractChange('success-status-removed', at, `success status ${code} removed`));
      continue;
    }
    diffContent(response.content, now.content, at, 'response', push, compareSchemas);
    for (const [key, header] of response.headers) {
      const nowHeader = now.headers.get(key);
      const headerAt = `${at} header ${header.name}`;
      if (!nowHeader) {
        push(contractChange('response-header-removed', headerAt, `response header ${header.name} removed`));
        continue;
      }
      if (header.required && !nowHeader.required)
        push(
          contractChange('response-header-made-optional', headerAt, `response header ${header.name} is now optional`),
        );
      compareSchemas('response', headerAt, header.schema, nowHeader.schema);
    }
    for (const [key, header] of now.headers)
      if (!response.headers.has(key))
        push(
          contractChange('response-header-added', `${at} header ${header.name}`, `new response header ${header.name}`),
        );
  }
  for (const code of added) {
    const at = `${label} → ${code}`;
    if (!isSuccess(code)) push(contractChange('error-status-added', at, `new error status ${code}`));
    else if (!changedSuccess) push(contractChange('success-status-added', at, `new success status ${code}`));
  }
}

/** Validates the document's structure and reads what the comparison needs; throws InvalidContractError. */
function readHttpContract(input: unknown, role: DocumentRole): HttpContract {
  if (!isObject(input))
    throw contractError(
      role,
      'OpenAPI',
      '',
      `the document is ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}, not a JSON object`,
      'pass the parsed contents of services/<name>/contract/openapi.json',
    );
  const doc = new ContractDocument(input, role, 'OpenAPI');
  const version = input['openapi'];
  if (typeof version !== 'string' || !/^3\.0\.\d+$/.test(version))
    throw doc.error(
      '/openapi',
      `"openapi" is ${JSON.stringify(version) ?? 'missing'}, but this engine compares OpenAPI 3.0 documents`,
      'generate the contract with @fastify/swagger\'s `openapi: { openapi: "3.0.3" }` option',
    );
  checkInfoVersion(doc, input);
  const paths = input['paths'];
  if (!isObject(paths))
    throw doc.error(
      '/paths',
      '"paths" is missing or not an object',
      'regenerate the contract (an API without routes has "paths": {})',
    );

  doc.checkReferences();
  const entries = new Map<string, PathEntry>();
  for (const [template, rawItem] of Object.entries(paths)) {
    const pointer = childPointer('/paths', template);
    if (!template.startsWith('/'))
      throw doc.error(
        pointer,
        `path "${template}" does not start with "/"`,
        'write it as the route is registered, e.g. "/albums"',
      );
    const item = doc.resolve(rawItem, pointer).value;
    if (!isObject(item)) throw doc.error(pointer, 'the path item is not an object', 'regenerate the contract');
    const identity = pathIdentity(template);
    const clash = entries.get(identity);
    if (clash)
      throw doc.error(
        pointer,
        `paths "${clash.template}" and "${template}" differ only in parameter names, so no request can tell them apart`,
        'keep one of them (Fastify refuses such a pair of routes too)',
      );
    const parameterNames = templateParameters(template);
    const shared = readParameters(
      doc,
      item['parameters'],
      childPointer(pointer, 'parameters'),
      parameterNames,
      template,
    );
    const operations = new Map<string, Operation>();
    for (const method of METHODS) {
      if (item[method] === undefined) continue;
      const operationPointer = childPointer(pointer, method);
      const operation = doc.resolve(item[method], operationPointer).value;
      if (!isObject(operation))
        throw doc.error(operationPointer, 'the operation is not an object', 'regenerate the contract');
      const label = `${method.toUpperCase()} ${template}`;
      const own = readParameters(
        doc,
        operation['parameters'],
        childPointer(operationPointer, 'parameters'),
        parameterNames,
        template,
      );
      operations.set(method, {
        doc,
        label,
        deprecated: operation['deprecated'] === true,
        parameters: new Map([...shared, ...own]),
        body: readBody(doc, operation['requestBody'], childPointer(operationPointer, 'requestBody')),
        responses: readResponses(doc, operation['responses'], childPointer(operationPointer, 'responses')),
      });
    }
    entries.set(identity, { template, parameterNames, operations });
  }
  return { doc, paths: entries };
}

function readParameters(
  doc: ContractDocument,
  raw: unknown,
  pointer: string,
  templateNames: string[],
  template: string,
): Map<string, Parameter> {
  const parameters = new Map<string, Parameter>();
  if (raw === undefined) return parameters;
  if (!Array.isArray(raw)) throw doc.error(pointer, '"parameters" is not an array', 'regenerate the contract');
  raw.forEach((entry, i) => {
    const at = childPointer(pointer, i);
    const parameter = doc.resolve(entry, at).value;
    if (!isObject(parameter)) throw doc.error(at, 'the parameter is not an object', 'regenerate the contract');
    const { name, in: place } = parameter;
    if (typeof name !== 'string' || name === '')
      throw doc.error(`${at}/name`, 'the parameter has no name', 'give it the name the route schema uses');
    if (typeof place !== 'string' || !PARAMETER_PLACES.includes(place))
      throw doc.error(
        `${at}/in`,
        `parameter ${name} has "in": ${JSON.stringify(place)}`,
        `use one of ${PARAMETER_PLACES.join(', ')}`,
      );
    let key = `${place}:${place === 'header' ? name.toLowerCase() : name}`;
    if (place === 'path') {
      const index = templateNames.indexOf(name);
      if (index < 0)
        throw doc.error(
          at,
          `path parameter ${name} is not in the path template ${template}`,
          `name it after one of the template's parameters (${templateNames.join(', ') || 'none'}), or drop it`,
        );
      key = `path:${index}`;
    }
    let schema = parameter['schema'];
    if (schema === undefined && isObject(parameter['content'])) {
      const [first] = Object.values(parameter['content']);
      schema = isObject(first) ? first['schema'] : undefined;
    }
    parameters.set(key, { name, in: place, required: place === 'path' || parameter['required'] === true, schema });
  });
  return parameters;
}

function readContent(doc: ContractDocument, raw: unknown, pointer: string): Map<string, [string, unknown]> {
  const content = new Map<string, [string, unknown]>();
  if (raw === undefined) return content;
  if (!isObject(raw)) throw doc.error(pointer, '"content" is not an object of media types', 'regenerate the contract');
  for (const [type, media] of Object.entries(raw)) {
    if (!isObject(media))
      throw doc.error(childPointer(pointer, type), `media type ${type} is not an object`, 'regenerate the contract');
    content.set(type.toLowerCase(), [type, media['schema']]);
  }
  return content;
}

function readBody(doc: ContractDocument, raw: unknown, pointer: string): Body | null {
  if (raw === undefined) return null;
  const body = doc.resolve(raw, pointer).value;
  if (!isObject(body)) throw doc.error(pointer, 'requestBody is not an object', 'regenerate the contract');
  return { required: body['required'] === true, content: readContent(doc, body['content'], `${pointer}/content`) };
}

function readResponses(doc: ContractDocument, raw: unknown, pointer: string): Map<string, Response> {
  if (!isObject(raw))
    throw doc.error(
      pointer,
      'the operation has no "responses" object',
      'give the route a response schema and regenerate the contract',
    );
  const responses = new Map<string, Response>();
  for (const [code, entry] of Object.entries(raw)) {
    const at = childPointer(pointer, code);
    if (code !== 'default' && !STATUS.test(code))
      throw doc.error(
        at,
        `"${code}" is not a status code`,
        'use a status such as "200", a range such as "4XX", or "default"',
      );
    const response = doc.resolve(entry, at).value;
    if (!isObject(response)) throw doc.error(at, 'the response is not an object', 'regenerate the contract');
    const headers = new Map<string, { name: string; required: boolean; schema: unknown }>();
    const rawHeaders = response['headers'];
    if (rawHeaders !== undefined && !isObject(rawHeaders))
      throw doc.error(`${at}/headers`, '"headers" is not an object', 'regenerate the contract');
    for (const [name, rawHeader] of Object.entries(rawHeaders ?? {})) {
      const header = doc.resolve(rawHeader, childPointer(at, 'headers', name)).value;
      if (!isObject(header))
        throw doc.error(
          childPointer(at, 'headers', name),
          `header ${name} is not an object`,
          'regenerate the contract',
        );
      headers.set(name.toLowerCase(), { name, required: header['required'] === true, schema: header['schema'] });
    }
    responses.set(code === 'default' ? code : code.toUpperCase(), {
      content: readContent(doc, response['content'], `${at}/content`),
      headers,
    });
  }
  return responses;
}
