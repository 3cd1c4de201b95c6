import type { Tree } from '@nx/devkit';
import { updateJsonText } from '../../utils/json-edit';

/**
 * Replaces the `team:<id>` tag in the service's project.json, the source of truth CODEOWNERS is generated from:
 * one string changes, every other setting and the layout are kept.
 */
export function updateTeamTag(tree: Tree, root: string, from: string, to: string): void {
  const path = `${root}/project.json`;
  const raw = tree.read(path, 'utf-8') ?? '{}'; // present and valid JSON: checked in normalize-options
  const updated = updateJsonText<{ tags?: string[] }>(
    raw,
    (project) => ({
      ...project,
      tags: (project.tags ?? []).map((tag) => (tag === `team:${from}` ? `team:${to}` : tag)),
    }),
    (text) => text.replace(JSON.stringify(`team:${from}`), JSON.stringify(`team:${to}`)),
  );
  tree.write(path, updated);
}
