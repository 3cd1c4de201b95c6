import type { Tree } from '@nx/devkit';

/**
 * Nx writes project.json with JSON.stringify; prettier it like the rest of the workspace. The rendered template files
 * need no formatting (template.spec.ts keeps them prettier-clean), so only this one file pays for prettier.
 */
export async function formatProjectJson(tree: Tree, projectRoot: string): Promise<void> {
  const path = `${projectRoot}/project.json`;
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(`${tree.root}/${path}`)) ?? {};
  tree.write(path, await prettier.format(tree.read(path, 'utf-8') ?? '', { ...options, filepath: path }));
}
