import { logger, type Tree } from '@nx/devkit';

/** The line the service template writes: `Owner: {{teamHandle}} (team {{team}})`. */
const OWNER_LINE = /^Owner: \S+ \(team [^)\s]+\)[ \t]*$/m;

/**
 * Updates the owner line of the service's README. The README is team-owned, so it may have been rewritten: without
 * an owner line it is left as it is, with a warning naming the line to add.
 */
export function updateReadme(tree: Tree, root: string, to: { id: string; handle: string }): void {
  const path = `${root}/README.md`;
  const line = `Owner: ${to.handle} (team ${to.id})`;
  const readme = tree.read(path, 'utf-8');
  if (readme === null || !OWNER_LINE.test(readme)) {
    logger.warn(`${path} has no owner line ("Owner: @org/team (team id)"); add one: ${line}`);
    return;
  }
  tree.write(path, readme.replace(OWNER_LINE, line));
}
