import type { Tree } from '@nx/devkit';
import { hasContractChassis } from '@musiccorp/contract/describe/describe-service';
import { syncContracts, treeReader } from '../contracts/lib/sync';
import { runOnWorkspace, type WorkspaceChange } from './workspace';

export interface ContractedChanges {
  changes: WorkspaceChange[];
  /** Why the service's contract could not be regenerated; its files were left as they were. */
  contractError?: string;
}

/**
 * Runs a micro-generator on the workspace at `root`, then writes `service`'s contract (contract/openapi.json,
 * events.json) from the code it leaves, in the same Tree, so `nx sync:check` passes after. A service whose chassis
 * predates contracts has none to keep. When the team's code cannot be described, the generator's files are written
 * all the same (they are right), and the reason is returned for the caller to report.
 */
export async function runWithContract(
  root: string,
  service: string,
  generator: (tree: Tree) => Promise<void>,
): Promise<ContractedChanges> {
  let contractError: string | undefined;
  const changes = await runOnWorkspace(root, async (tree) => {
    await generator(tree);
    if (!hasContractChassis(service, treeReader(tree))) return;
    contractError = (await syncContracts(tree, [service])).failures[0]?.error;
  });
  return { changes, ...(contractError === undefined ? {} : { contractError }) };
}
