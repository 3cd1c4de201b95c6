import type { Tree } from '@nx/devkit';
import type { SyncGeneratorResult } from 'nx/src/utils/sync-generators';
import type { ContractsGeneratorSchema } from './schema';
import { contractFailuresMessage, syncContracts } from './lib/sync';

/**
 * Global sync generator (nx.json `sync.globalGenerators`): each service's committed contract,
 * `services/<name>/contract/openapi.json` (the routes it registers) and `contract/events.json` (the events it
 * publishes), built by running its code (tools/contract/src/describe). `npx nx sync` writes them;
 * `npx nx sync:check` fails while one differs. A service whose code cannot be described fails both, naming why.
 *
 * Nx calls a sync generator with the Tree alone and reads `outOfSyncMessage` from the result, while `nx g` passes the
 * options and would call a returned value as a task: so only a call without options returns the message.
 */
export async function contractsSyncGenerator(
  tree: Tree,
  options?: ContractsGeneratorSchema,
): Promise<SyncGeneratorResult> {
  const { changed, failures } = await syncContracts(tree);
  if (failures.length > 0) throw new Error(contractFailuresMessage(failures));
  if (options !== undefined || changed.length === 0) return;
  return {
    outOfSyncMessage:
      "The services' committed contracts (contract/openapi.json, contract/events.json) differ from what their code declares: write them with `npx nx sync` and commit them.",
    outOfSyncDetails: changed.map((path) => `${path} is not what the code declares`),
  };
}

export default contractsSyncGenerator;
