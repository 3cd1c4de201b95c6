import type { Tree } from '@nx/devkit';

export const CODEOWNERS_FILE = 'CODEOWNERS';

/** Gives the team the service folder in CODEOWNERS (last matching rule wins, so it follows the catch-all). */
export function addCodeOwner(tree: Tree, projectRoot: string, handle: string): void {
  const current = tree.read(CODEOWNERS_FILE, 'utf-8') ?? '';
  const rule = `/${projectRoot}/ ${handle}`;
  const lines = current.split('\n').filter((line) => !line.startsWith(`/${projectRoot}/ `));
  while (lines.at(-1) === '') lines.pop();
  tree.write(CODEOWNERS_FILE, `${[...lines, rule].join('\n')}\n`);
}
