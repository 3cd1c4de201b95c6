/** Test helpers: a real workspace on disk with services rendered from templates/service, as `nx g service` would. */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { FsTree } from 'nx/src/generators/tree';
import { renderTemplate } from '@musiccorp/core/render';
import { PLATFORM_VERSION } from '@musiccorp/core/provenance';
import { WORKSPACE_ROOT } from '../utils/testing';

export interface TestWorkspace {
  root: string;
  /** A fresh Nx Tree over the workspace: its pending changes are what a generator would write. */
  tree(): FsTree;
  write(path: string, content: string): void;
  dispose(): void;
}

export function createTestWorkspace(services: string[] = ['catalog']): TestWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'micro-'));
  const write = (path: string, content: string | Buffer) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  write('nx.json', '{}\n');
  cpSync(join(WORKSPACE_ROOT, '.prettierrc'), join(root, '.prettierrc'));
  services.forEach((name, index) => {
    const answers = { name, team: name, teamHandle: `@musiccorp/${name}`, port: 3100 + index, description: `${name}.` };
    for (const file of renderTemplate('service', { ...answers, platformVersion: PLATFORM_VERSION })) {
      write(`services/${name}/${file.path}`, file.content);
    }
    write(`services/${name}/project.json`, JSON.stringify({ name, tags: ['type:service', `team:${name}`] }));
    const provenance = { template: 'service', platformVersion: PLATFORM_VERSION, platformCommit: null, answers };
    write(`services/${name}/template-provenance.json`, JSON.stringify(provenance));
  });
  return {
    root,
    tree: () => new FsTree(root, false),
    write,
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
