// `node tools/bin/run.mjs <module> [args…]` runs tools/src/<module>.ts from an esbuild bundle (bundle-on-demand.cjs):
// the CLIs CI calls on every push (ci:affected, owners) start ~0.5 s sooner than through tsx.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const { bundleOnDemand } = createRequire(import.meta.url)('./bundle-on-demand.cjs');
const tools = fileURLToPath(new URL('..', import.meta.url));
const [module] = process.argv.splice(2, 1);
if (!module || !/^[\w-]+(\/[\w-]+)*$/.test(module)) {
  console.error('Usage: node tools/bin/run.mjs <module under tools/src, e.g. affected/cli> [args…]');
  process.exit(2);
}
const bundle = bundleOnDemand({
  entry: `${tools}src/${module}.ts`,
  outfile: `${tools}.cache/${module.replaceAll('/', '-')}.mjs`,
  sources: [`${tools}src`, `${tools}package.json`],
  format: 'esm',
});
await import(pathToFileURL(bundle).href);
