import type { Tree } from '@nx/devkit';
import { listServices } from '@musiccorp/core/services';
import { contractFiles, formatContract } from '@musiccorp/contract/describe/contract-files';
import {
  describeEachService,
  hasContractChassis,
  type SourceReader,
} from '@musiccorp/contract/describe/describe-service';

export interface ContractFailure {
  service: string;
  error: string;
}

export interface ContractsSyncResult {
  /** The contract files written because they differed from what the code declares (or did not exist). */
  changed: string[];
  /** The services whose contract could not be built from their code, and why: their files are left as they are. */
  failures: ContractFailure[];
}

/** The Tree's files as the describer reads them: a folder, or a path the Tree does not hold, is no source. */
export const treeReader =
  (tree: Tree): SourceReader =>
  (path) =>
    tree.isFile(path) ? tree.read(path, 'utf-8') : null;

/** The services whose chassis builds contracts: one not upgraded since has none to keep in sync. */
export function servicesWithContracts(tree: Tree): string[] {
  const read = treeReader(tree);
  return listServices(tree)
    .map((service) => service.name)
    .filter((service) => hasContractChassis(service, read));
}

/**
 * Writes `services/<name>/contract/openapi.json` and `events.json` of each of `services` (default: every service
 * whose chassis builds contracts) as its code on the Tree declares them, where they differ. The one entry point for
 * the contracts sync generator and for every generator that changes a service's code (service, upgrade, the plop
 * micro-generators), so they leave `nx sync:check` passing.
 */
export async function syncContracts(
  tree: Tree,
  services: readonly string[] = servicesWithContracts(tree),
): Promise<ContractsSyncResult> {
  const result: ContractsSyncResult = { changed: [], failures: [] };
  for (const description of await describeEachService(services, treeReader(tree))) {
    if (description.error !== undefined) {
      result.failures.push({ service: description.service, error: description.error });
      continue;
    }
    const files = contractFiles(description.service);
    for (const [path, document] of [
      [files.openapi, description.contract.openapi],
      [files.events, description.contract.events],
    ] as const) {
      const content = formatContract(document);
      if (tree.read(path, 'utf-8') === content) continue;
      tree.write(path, content);
      result.changed.push(path);
    }
  }
  return result;
}

/** One error for the services whose contract could not be built: each with its reason, then the fix. */
export function contractFailuresMessage(failures: readonly ContractFailure[]): string {
  return [
    `Could not build the contract of ${failures.map((failure) => failure.service).join(', ')} from the code:`,
    ...failures.map((failure) => `  ${failure.service}: ${failure.error}`),
    'Fix that, then write the contracts with: npx nx sync',
  ].join('\n');
}
