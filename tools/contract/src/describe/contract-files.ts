import { formatJson } from '@musiccorp/core/json-format';
import { SERVICES_DIR } from '@musiccorp/core/service-layout';

/** Where a service's committed contract lives, relative to the workspace root. */
export interface ContractFiles {
  /** OpenAPI 3.0.3 of the routes it registers. */
  openapi: string;
  /** AsyncAPI 3.0.0 of the CloudEvents it publishes. */
  events: string;
}

export const CONTRACT_DIR = 'contract';

export function contractFiles(service: string): ContractFiles {
  const dir = `${SERVICES_DIR}/${service}/${CONTRACT_DIR}`;
  return { openapi: `${dir}/openapi.json`, events: `${dir}/events.json` };
}

/** A contract document as it is committed: prettier-clean JSON and a final newline, the same bytes for the same doc. */
export function formatContract(document: object): string {
  return formatJson(document);
}
