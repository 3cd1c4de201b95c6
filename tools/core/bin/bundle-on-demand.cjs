// Starting TypeScript through tsx or swc-node costs ~0.5 s per process; the commands people and CI run often (nx g,
// ci:affected) instead run an esbuild bundle of their sources, rebuilt only when a source file is newer than it.
'use strict';
const { mkdirSync, readdirSync, renameSync, statSync } = require('node:fs');
const { dirname } = require('node:path');

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
 * Returns `outfile`, first bundling `entry` into it (npm packages left external) unless it is newer than every `.ts`
 * file under `sources` (folders or files).
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
    platform: 'node',
    format,
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  renameSync(partial, outfile);
  return outfile;
}

module.exports = { bundleOnDemand };
