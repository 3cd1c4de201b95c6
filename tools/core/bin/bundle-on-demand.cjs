// Starting TypeScript through tsx or swc-node costs ~0.5 s per process; the commands people and CI run often (nx g,
// ci:affected, owners) instead run an esbuild bundle of their sources, rebuilt only when a source file is newer than it.
'use strict';
const { mkdirSync, readdirSync, readFileSync, renameSync, statSync } = require('node:fs');
const { dirname, join } = require('node:path');

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

function newestMtime(paths) {
  let newest = 0;
  for (const path of paths) {
    const stat = statSync(path);
    if (!stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs);
      continue;
    }
    for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
        newest = Math.max(newest, statSync(`${entry.parentPath}/${entry.name}`).mtimeMs);
    }
  }
  return newest;
}

/**
 * The workspace's own packages (`@musiccorp/core/render` → tools/core/src/render.ts), from the root package.json's
 * workspaces: they are bundled from source while every npm package stays external.
 */
function workspaceAliases() {
  const { workspaces = [] } = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8'));
  const aliases = {};
  for (const pattern of workspaces) {
    const folders = pattern.endsWith('/*')
      ? readdirSync(join(WORKSPACE_ROOT, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join(pattern.slice(0, -2), entry.name))
      : [pattern];
    for (const folder of folders) {
      let name;
      try {
        ({ name } = JSON.parse(readFileSync(join(WORKSPACE_ROOT, folder, 'package.json'), 'utf8')));
      } catch {
        continue; // not a package (a left-out folder of a per-team workspace)
      }
      // tools/* packages export ./src/*; generators is imported by its paths (`@musiccorp/generators/src/...`).
      aliases[name] = join(WORKSPACE_ROOT, folder, folder.startsWith('tools/') ? 'src' : '');
    }
  }
  return aliases;
}

/**
 * Returns `outfile`, first bundling `entry` into it (npm packages left external, the workspace's own packages
 * bundled) unless it is newer than every `.ts` file under `sources` (folders or files).
 * @param {{ entry: string, outfile: string, sources: string[], format: 'cjs' | 'esm' }} options
 */
function bundleOnDemand({ entry, outfile, sources, format }) {
  let fresh = false;
  try {
    fresh = statSync(outfile).mtimeMs >= newestMtime(sources);
  } catch {
    // no bundle yet
  }
  if (fresh) return outfile;
  mkdirSync(dirname(outfile), { recursive: true });
  // Written beside the bundle, then renamed: a concurrent run never loads half a file.
  const partial = `${outfile}.${process.pid}.tmp`;
  require('esbuild').buildSync({
    entryPoints: [entry],
    outfile: partial,
    bundle: true,
    packages: 'external',
    alias: workspaceAliases(),
    platform: 'node',
    format,
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  renameSync(partial, outfile);
  return outfile;
}

module.exports = { bundleOnDemand, WORKSPACE_ROOT };
