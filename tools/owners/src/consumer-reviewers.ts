/**
 * A breaking change to a service's contract needs more than its owners' approval: the teams of the services that
 * consume it (their consumes.json at the head) must agree too, since they are the ones who have to move. Only a diff
 * that touches a contract file (services/<name>/contract/openapi.json or events.json) loads the contract engine.
 */
import { UsageError } from '@musiccorp/core/cli';
import { tryGit } from '@musiccorp/core/git';
import { contractFileOf } from '@musiccorp/core/service-layout';
import type { Change } from './git';
import type { Approval, ReviewersResult } from './reviewers';

/** Whether any changed path is a service's contract file: the only diffs that can need consumer approvals. */
export function touchesContracts(changes: readonly Change[]): boolean {
  return changes.some((change) => contractFileOf(change.path) || (change.oldPath && contractFileOf(change.oldPath)));
}

/**
 * Adds to `result.approvals` one approval per consumer team of each breaking contract change (merged into the
 * approval that team alone already gives, if any), with the reason. A contract the engine cannot read is a warning:
 * reviewers still answers for the rest; `npm run contract -- check` is the gate that refuses it.
 */
export async function addConsumerApprovals(repo: string, result: ReviewersResult): Promise<void> {
  const [{ compareContracts, CONTRACT_KINDS }, { applyVersionRule }, { loadConsumers }] = await Promise.all([
    import('@musiccorp/contract/compare'),
    import('@musiccorp/contract/check'),
    import('@musiccorp/core/consumers'),
  ]);
  // Contract paths are repo-relative: the contract helpers run at the top of the work tree.
  const root = tryGit(repo, ['rev-parse', '--show-toplevel'])?.trim() ?? repo;
  const mergeBase = tryGit(root, ['merge-base', result.baseCommit, result.headCommit])?.trim();
  if (!mergeBase) {
    result.warnings.push('the base and the head share no history here: contract consumers were not added');
    return;
  }
  const consumers = await loadConsumers(root, { commit: result.headCommit });
  let verdicts;
  try {
    const comparisons = compareContracts(
      root,
      { commit: mergeBase, label: mergeBase.slice(0, 7) },
      { commit: result.headCommit, label: result.head },
    );
    verdicts = applyVersionRule(comparisons, consumers.services, consumers.index);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    result.warnings.push(`contract changes not classified, so no consumer team was added: ${error.message}`);
    return;
  }
  for (const problem of consumers.problems)
    result.warnings.push(`${problem.file}: ${problem.message} — its service is not asked as a consumer`);

  for (const verdict of verdicts) {
    if (verdict.breaking === 0) continue;
    const changes = `${verdict.breaking} breaking change${verdict.breaking === 1 ? '' : 's'}`;
    for (const consumer of verdict.consumers) {
      if (!consumer.team) {
        result.warnings.push(`${consumer.service} consumes ${verdict.file} but has no team:<id> tag to ask`);
        continue;
      }
      const what =
        verdict.kind === 'http'
          ? `${verdict.service}'s ${CONTRACT_KINDS.http.what}`
          : `${verdict.service}'s events ${consumer.uses.join(', ')}`;
      addApproval(
        result.approvals,
        consumer.team.handle,
        verdict.file,
        `${consumer.service} consumes ${what}: ${changes}`,
      );
    }
  }
  result.approvals.sort((a, b) => compare(a.owners.join(' '), b.owners.join(' ')));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function addApproval(approvals: Approval[], handle: string, file: string, reason: string): void {
  let approval = approvals.find((candidate) => candidate.owners.length === 1 && candidate.owners[0] === handle);
  if (!approval) approvals.push((approval = { owners: [handle], files: [] }));
  if (!approval.files.includes(file)) approval.files = [...approval.files, file].sort();
  approval.reasons = [...(approval.reasons ?? []), reason];
}
