/**
 * Consumers of a changed contract: when a diff changes `services/<name>/contract/openapi.json` or `events.json`, the
 * services that declare in their consumes.json that they call that HTTP API, or consume one of those event types, are
 * affected too — no graph edge says so (services never import each other).
 *
 * What they need is their `contract` check, not a new artifact: their own code and inputs are unchanged, so REBUILD
 * and DEPLOY stay no. Their test target would be a cache hit (its inputs do not include other services' contracts);
 * the contract check (never cached) reports the changes in what they consume.
 */
import type { ProjectGraphProjectNode } from 'nx/src/config/project-graph.js';
import { eventTypesOf, loadConsumers, type Consumer } from '@musiccorp/core/consumers';
import { contractFileOf } from '@musiccorp/core/service-layout';
import type { ChangedFile } from './git';
import type { Reader } from './locators';
import type { Touches } from './reasons';

const CONTRACT_TARGET = 'contract';

export async function touchContractConsumers(
  root: string,
  changed: readonly ChangedFile[],
  nodes: Record<string, ProjectGraphProjectNode>,
  read: Reader,
  touches: Touches,
  warnings: string[],
): Promise<void> {
  const contracts = changed.flatMap((change) => {
    const of = contractFileOf(change.file);
    return of ? [{ ...of, file: change.file }] : [];
  });
  if (contracts.length === 0) return;
  // Declarations as the project graph reads them: from the working tree (the head is checked out).
  const { index, problems } = await loadConsumers(root);
  for (const problem of problems)
    warnings.push(
      `${problem.file}: ${problem.message} — its service is not checked as a consumer of changed contracts ` +
        '(`npm run contract -- check` names the fix).',
    );

  const nameOf = (serviceRoot: string) =>
    Object.values(nodes).find((node) => node.data.root === serviceRoot)?.name ??
    serviceRoot.slice(serviceRoot.indexOf('/') + 1);
  for (const { root: serviceRoot, kind, file } of contracts) {
    const producer = nameOf(serviceRoot);
    let consumers: Consumer[];
    let what: (consumer: Consumer) => string;
    if (kind === 'http') {
      consumers = index.ofHttp(producer);
      what = () => `${producer}'s HTTP contract`;
    } else {
      // Types it declared at either side: a consumer of a removed type is affected as much as one of a changed type.
      consumers = index.ofEvents([...eventTypes(read.base(file)), ...eventTypes(read.head(file))]);
      what = (consumer) => `${producer}'s events ${consumer.uses.join(', ')}`;
    }
    for (const consumer of consumers) {
      const node = nodes[consumer.service];
      if (!node || consumer.service === producer) continue;
      touches.add(consumer.service, {
        kind: 'contract',
        text: `consumes ${what(consumer)} (${file} changed)`,
        files: [file],
        targets: node.data.targets?.[CONTRACT_TARGET] ? [CONTRACT_TARGET] : [],
      });
    }
  }
}

/** The event types of a contract file's text; none when it is absent ('') or not JSON. */
function eventTypes(text: string): string[] {
  try {
    return eventTypesOf(JSON.parse(text));
  } catch {
    return [];
  }
}
