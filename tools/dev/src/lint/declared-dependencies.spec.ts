/**
 * The `musiccorp/declared-dependencies` lint rule, through ESLint's own Linter with the rule as eslint.config.mjs
 * configures it, on files in a temp workspace (nx.json, a service with its package.json).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Linter, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The rule is plain JavaScript (eslint.config.mjs loads it without a TypeScript loader), so it has no types.
const RULE_MODULE = './declared-dependencies.mjs';
const { declaredDependencies, packageNameOf } = (await import(RULE_MODULE)) as {
  declaredDependencies: Rule.RuleModule;
  packageNameOf: (specifier: string) => string | null;
};

let root: string;
const service = () => join(root, 'services', 'tracks');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'declared-deps-'));
  await writeFile(join(root, 'nx.json'), '{}');
  await mkdir(join(service(), 'src', 'routes'), { recursive: true });
  await writeFile(
    join(service(), 'package.json'),
    JSON.stringify({
      name: '@musiccorp/tracks',
      dependencies: { fastify: '5.12.8', '@fastify/under-pressure': '9.2.0' },
    }),
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

function lint(code: string, file = join(service(), 'src', 'routes', 'tracks.ts')) {
  return new Linter({ cwd: root }).verify(
    code,
    [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' },
        plugins: { musiccorp: { rules: { 'declared-dependencies': declaredDependencies } } },
        rules: { 'musiccorp/declared-dependencies': ['error', { allow: ['vitest'] }] },
      },
    ],
    file,
  );
}

describe('musiccorp/declared-dependencies', () => {
  it('accepts declared packages (subpaths and scopes too), node built-ins, relative imports and allowed tools', () => {
    const code = [
      "import Fastify from 'fastify';",
      "import { x } from 'fastify/types/instance';",
      "import pressure from '@fastify/under-pressure';",
      "import { readFile } from 'node:fs/promises';",
      "import { join } from 'path';",
      "import { app } from '../app';",
      "import { describe } from 'vitest';",
      "export { routes } from './index';",
      'export const all = [Fastify, x, pressure, readFile, join, app, describe];',
    ].join('\n');
    expect(lint(code)).toEqual([]);
  });

  it.each([
    ["import { z } from 'zod';", 'zod'],
    ["import type { Schema } from '@scope/schemas/v2';", '@scope/schemas'],
    ["export { z } from 'zod';", 'zod'],
    ["export * from 'zod';", 'zod'],
    ["const lazy = () => import('zod');\nexport default lazy;", 'zod'],
  ])('refuses an undeclared package: %s', (code, name) => {
    const [message, ...others] = lint(code);
    expect(others).toEqual([]);
    expect(message?.ruleId).toBe('musiccorp/declared-dependencies');
    expect(message?.message).toContain(`'${name}' is imported but services/tracks/package.json does not declare it`);
    expect(message?.message).toContain(`Add "${name}" to its dependencies`);
  });

  it('leaves files outside any package.json alone', () => {
    expect(lint("import { z } from 'zod';\nexport const q = z;", join(root, 'scripts', 'a.ts'))).toEqual([]);
  });

  it('names the package an import specifier belongs to', () => {
    expect(packageNameOf('fastify')).toBe('fastify');
    expect(packageNameOf('fastify/types/instance')).toBe('fastify');
    expect(packageNameOf('@fastify/under-pressure')).toBe('@fastify/under-pressure');
    expect(packageNameOf('@scope/pkg/deep/path')).toBe('@scope/pkg');
    expect(packageNameOf('node:fs')).toBeNull();
    expect(packageNameOf('fs/promises')).toBeNull();
    expect(packageNameOf('./local')).toBeNull();
    expect(packageNameOf('../up')).toBeNull();
    expect(packageNameOf('/abs/path')).toBeNull();
    expect(packageNameOf('#internal')).toBeNull();
  });
});
