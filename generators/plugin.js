// Nx loads a `.ts` generator through swc-node, which costs ~0.6 s on every `nx g`. This plain-JS entry bundles the
// TypeScript sources once with esbuild into .cache/ and reuses the bundle until a source file changes.
'use strict';
const { mkdirSync, readdirSync, renameSync, statSync } = require('node:fs');
const { join } = require('node:path');

const SOURCES = join(__dirname, 'src');
const BUNDLE = join(__dirname, '.cache', 'plugin.cjs');

function newestSourceMtime(dir) {
  let newest = statSync(join(__dirname, 'package.json')).mtimeMs;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts'))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(BUNDLE).mtimeMs >= newestSourceMtime(SOURCES);
  } catch {
    return false;
  }
}

if (!bundleIsFresh()) {
  mkdirSync(join(__dirname, '.cache'), { recursive: true });
  // Written beside the bundle, then renamed: a concurrent `nx g` never loads half a file.
  const partial = `${BUNDLE}.${process.pid}.tmp`;
  require('esbuild').buildSync({
    entryPoints: [join(SOURCES, 'index.ts')],
    outfile: partial,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  renameSync(partial, BUNDLE);
}

module.exports = require(BUNDLE);
