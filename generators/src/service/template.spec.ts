import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '@musiccorp/core/render';
import { PLATFORM_VERSION } from '@musiccorp/core/provenance';

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');
type Versions = Record<string, string>;
const answers = {
  name: 'order-processor',
  team: 'fulfilment',
  teamHandle: '@musiccorp/fulfilment',
  port: 3103,
  description: 'Processes orders.',
  platformVersion: PLATFORM_VERSION,
};

// The generator formats what it writes; a template whose output is already formatted renders to exactly the bytes the
// drift check expects, so formatting can never make a service look hand-edited.
describe('templates/service renders prettier-clean files', () => {
  const files = renderTemplate('service', answers);

  it.each(files.map((file) => [file.path, file.content.toString('utf8')] as const))('%s', async (path, content) => {
    const filepath = join(WORKSPACE_ROOT, 'services', answers.name, path);
    const info = await prettier.getFileInfo(filepath, { ignorePath: join(WORKSPACE_ROOT, '.prettierignore') });
    if (info.ignored || info.inferredParser === null) return;
    const options = { ...(await prettier.resolveConfig(filepath)), filepath };
    expect(await prettier.format(content, options)).toBe(content);
  });
});

// One version policy: a service's package.json takes the root's versions, so an upgrade's new render carries them.
describe('templates/service package.json', () => {
  it('pins every dependency at the version the root package.json pins', () => {
    const root = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8')) as Record<string, Versions>;
    const rootVersions: Versions = { ...root['devDependencies'], ...root['dependencies'] };
    const file = renderTemplate('service', answers).find((rendered) => rendered.path === 'package.json');
    const service = JSON.parse(file?.content.toString('utf8') ?? '{}') as Record<string, Versions | undefined>;
    const pinned = { ...service['devDependencies'], ...service['dependencies'] };
    expect(Object.keys(pinned).length).toBeGreaterThan(0);
    for (const [name, version] of Object.entries(pinned)) expect([name, version]).toEqual([name, rootVersions[name]]);
  });
});
