// `node tools/core/bin/run.mjs <project>/<module> [args…]` runs tools/<project>/src/<module>.ts from an esbuild bundle
// (bundle-on-demand.cjs): the CLIs CI calls on every push (ci:affected, owners) start ~0.5 s sooner than through tsx.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { bundleOnDemand, WORKSPACE_ROOT } = createRequire(import.meta.url)('./bundle-on-demand.cjs');
const tools = join(WORKSPACE_ROOT, 'tools');
const [module] = process.argv.splice(2, 1);
const [, project, path] = /^([\w-]+)\/([\w-]+(?:\/[\w-]+)*)$/.exec(module ?? '') ?? [];
if (!project || !path) {
  console.error('Usage: node tools/core/bin/run.mjs <project>/<module under its src/, e.g. affected/cli> [args…]');
  process.exit(2);
}
const bundle = bundleOnDemand({
  entry: join(tools, project, 'src', `${path}.ts`),
  outfile: join(tools, '.cache', `${project}-${path.replaceAll('/', '-')}.mjs`),
  // A tool bundles its own sources and core's (and, for the workspace creator, generators').
  sources: [tools, join(WORKSPACE_ROOT, 'package.json')],
  format: 'esm',
});
await import(pathToFileURL(bundle).href);
