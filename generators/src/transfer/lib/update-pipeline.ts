import { logger, type Tree } from '@nx/devkit';
import { replaceStringValue, updateJsonText } from '../../utils/json-edit';

/** Sets `team` and `owner` in the service's pipeline.json (team-owned: every other field and its layout are kept). */
export function updatePipeline(tree: Tree, root: string, to: { id: string; handle: string }): void {
  const path = `${root}/pipeline.json`;
  const raw = tree.read(path, 'utf-8'); // valid JSON when present: checked in normalize-options
  if (raw === null) {
    logger.warn(`${path} is missing; the pipeline stages need it (with "team": "${to.id}", "owner": "${to.handle}").`);
    return;
  }
  const updated = updateJsonText<Record<string, unknown>>(
    raw,
    (pipeline) => ({ ...pipeline, team: to.id, owner: to.handle }),
    (text) => replaceStringValue(replaceStringValue(text, 'team', to.id), 'owner', to.handle),
  );
  tree.write(path, updated);
}
