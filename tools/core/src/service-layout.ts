/** Where services live and how Nx marks them: apart from services.ts, so reading them does not load @nx/devkit. */
export const SERVICES_DIR = 'services';
export const SERVICE_TAG = 'type:service';

/** A service's committed contracts, in `services/<name>/contract/`: its HTTP API and the events it publishes. */
export const CONTRACT_FILES = { http: 'openapi.json', events: 'events.json' } as const;
export type ContractKind = keyof typeof CONTRACT_FILES;

/** `services/catalog/contract/openapi.json` → {root: 'services/catalog', kind: 'http'}; undefined for other paths. */
export function contractFileOf(path: string): { root: string; kind: ContractKind } | undefined {
  const match = /^(services\/[^/]+)\/contract\/([^/]+)$/.exec(path);
  if (!match?.[1]) return undefined;
  const kind = (Object.keys(CONTRACT_FILES) as ContractKind[]).find((name) => CONTRACT_FILES[name] === match[2]);
  return kind ? { root: match[1], kind } : undefined;
}
