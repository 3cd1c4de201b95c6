import type { Tree } from '@nx/devkit';
import { ownersOf, syncCodeowners } from '../../codeowners/lib/sync';
import { CODEOWNERS_FILE } from '../../codeowners/lib/render';

export { CODEOWNERS_FILE };

/**
 * Gives the team the service folder in CODEOWNERS by rendering the whole file exactly as the codeowners sync
 * generator does (from every project's `team:<id>` tag, the new one included), so `nx sync:check` passes right after.
 */
export function addCodeOwner(tree: Tree, projectRoot: string, handle: string): void {
  const { content } = syncCodeowners(tree);
  const owners = ownersOf(content, `${projectRoot}/project.json`);
  if (!owners.includes(handle)) {
    throw new Error(
      `${CODEOWNERS_FILE} would give ${projectRoot}/ to ${owners.join(' ') || 'no one'} instead of ${handle}: check the project's team:<id> tag.`,
    );
  }
}
