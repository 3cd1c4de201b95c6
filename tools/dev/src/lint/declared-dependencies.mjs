// ESLint rule `musiccorp/declared-dependencies`: every npm package a service imports is declared in its package.json.
//
// Nx builds the project graph without reading imports (nx.json: `analyzeSourceFiles: false`, which makes a cold
// project graph of 300 services ~1 s faster): a service's npm dependencies are the ones its package.json declares.
// ci:affected and the artifact's cache key trust that list, so an undeclared import would let a version bump of that
// package skip the service. This rule keeps the declaration true, in each service's own lint target.
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';

const BUILTINS = new Set(builtinModules);
/** package.json per folder: the declared names, or null when the folder has none above it (cached for the run). */
const manifests = new Map();

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`; null for relative, absolute and built-in imports. */
export function packageNameOf(specifier) {
  if (/^[./#]/.test(specifier) || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return BUILTINS.has(name) ? null : name;
}

function manifestFor(folder) {
  if (manifests.has(folder)) return manifests.get(folder);
  const file = join(folder, 'package.json');
  let manifest = null;
  if (existsSync(file)) {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const names = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((section) =>
      Object.keys(json[section] ?? {}),
    );
    manifest = { file, names: new Set(names) };
  } else if (dirname(folder) !== folder) {
    manifest = manifestFor(dirname(folder));
  }
  manifests.set(folder, manifest);
  return manifest;
}

/** The file's path from the workspace root (the folder holding nx.json), as people know it. */
function fromWorkspaceRoot(file) {
  for (let folder = dirname(file); dirname(folder) !== folder; folder = dirname(folder)) {
    if (existsSync(join(folder, 'nx.json'))) return relative(folder, file);
  }
  return file;
}

/** @type {import('eslint').Rule.RuleModule} */
export const declaredDependencies = {
  meta: {
    type: 'problem',
    docs: { description: "Every npm package a service imports is declared in the service's package.json." },
    schema: [
      {
        type: 'object',
        properties: { allow: { type: 'array', items: { type: 'string' }, uniqueItems: true } },
        additionalProperties: false,
      },
    ],
    messages: {
      undeclared:
        '\'{{name}}\' is imported but {{manifest}} does not declare it. Add "{{name}}" to its dependencies, with the ' +
        "version in the root package.json: Nx reads a service's npm dependencies from its package.json, not from its " +
        'imports, so without it ci:affected and the build cache miss a change to {{name}}.',
    },
  },
  create(context) {
    const allowed = new Set(context.options[0]?.allow ?? []);
    const manifest = manifestFor(dirname(context.filename));
    if (!manifest) return {};
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string') return;
      const name = packageNameOf(source.value);
      if (!name || allowed.has(name) || manifest.names.has(name)) return;
      const where = fromWorkspaceRoot(manifest.file);
      context.report({ node: source, messageId: 'undeclared', data: { name, manifest: where } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    };
  },
};
