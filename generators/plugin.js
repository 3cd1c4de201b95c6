// Nx would load the `.ts` generators through swc-node, ~0.6 s on every `nx g`: this plain-JS entry loads an esbuild
// bundle of them instead (tools/core/bin/bundle-on-demand.cjs), rebuilt when a source here or in the tools it imports
// (core, contract) changes.
'use strict';
const { join } = require('node:path');
const { bundleOnDemand } = require('@musiccorp/core/bin/bundle-on-demand.cjs');

module.exports = require(
  bundleOnDemand({
    entry: join(__dirname, 'src', 'index.ts'),
    outfile: join(__dirname, '.cache', 'plugin.cjs'),
    sources: [
      join(__dirname, 'src'),
      join(__dirname, 'package.json'),
      join(__dirname, '..', 'tools', 'core'),
      join(__dirname, '..', 'tools', 'contract'),
    ],
    format: 'cjs',
  }),
);
