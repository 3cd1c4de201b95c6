import { caseHelpers, words } from '@musiccorp/core/render-helpers';
import type { TemplateData } from '@musiccorp/core/render';
import { hasBody, successStatus } from './http-method';
import type { EndpointOptions } from './options';

/** Field names the scaffolded body may take: the first one no path parameter already uses. */
const BODY_FIELDS = ['name', 'title', 'label'];

/** What templates/endpoint renders from: the answers and what follows from them. */
export function endpointTemplateData({ service, method, route, handlerName, fileName }: EndpointOptions): TemplateData {
  const body = hasBody(method);
  const status = successStatus(method);
  const bodyField = BODY_FIELDS.find((field) => !route.params.includes(field)) ?? 'value';
  const params = route.params.map((name) => ({ name, example: `${caseHelpers.kebabCase(name)}-1` }));
  const exampleUrl = params.reduce((url, param) => url.replace(`:${param.name}`, param.example), route.path);
  const [first = '', ...rest] = words(handlerName);
  return {
    service: service.name,
    method,
    methodLower: method.toLowerCase(),
    path: route.path,
    exampleUrl,
    handlerName,
    fileName,
    /** `getAlbum` → "Get album". */
    summary: [first.charAt(0).toUpperCase() + first.slice(1), ...rest].join(' '),
    params,
    hasParams: params.length > 0,
    hasBody: body,
    bodyField,
    status,
    noContent: status === 204,
    replyFields: [...route.params, ...(body ? [bodyField] : [])],
    /** Whether the route takes a type argument (Params, Body or Reply); `<{}>` would fail lint. */
    typed: params.length > 0 || body || status !== 204,
  };
}
