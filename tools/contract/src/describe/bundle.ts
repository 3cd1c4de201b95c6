import { posix } from 'node:path';
import type { Loader, Message, Plugin } from 'esbuild';

/** Reads a file by its workspace-relative path (`services/catalog/src/routes/index.ts`); null when there is none. */
export type SourceReader = (path: string) => string | null;

/** The chassis module that builds the documents (templates/service/src/chassis/contract.ts). */
export const CONTRACT_MODULE = 'src/chassis/contract.ts';
/** The team's declarations it reads. */
export const ROUTES_INDEX = 'src/routes/index.ts';
export const EVENTS_INDEX = 'src/events/index.ts';

const NAMESPACE = 'service-source';
/** How a bundled file is named in stack frames and messages: `service-source:services/catalog/src/routes/items.ts`. */
export const NAMESPACE_PREFIX = `${NAMESPACE}:`;
const ENTRY = '.contract-entry.ts';
const LOADERS: Record<string, Loader> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.json': 'json',
};

/**
 * The module the child process runs for one service: its `describe()` builds both documents with the service's own
 * chassis, from its routes and (when it has one) its events catalog.
 */
function entrySource(serviceRoot: string, read: SourceReader): string {
  const hasCatalog = read(posix.join(serviceRoot, EVENTS_INDEX)) !== null;
  return [
    `import { eventsDocument, openApiDocument } from './${CONTRACT_MODULE.replace(/\.ts$/, '')}';`,
    `import * as api from './${ROUTES_INDEX.replace(/\.ts$/, '')}';`,
    ...(hasCatalog ? [`import * as catalog from './${EVENTS_INDEX.replace(/\.ts$/, '')}';`] : []),
    'export async function describe() {',
    '  const openapi = await openApiDocument({ routes: api.routes, apiVersion: api.apiVersion });',
    `  return { openapi, events: eventsDocument(${hasCatalog ? 'catalog' : ''}) };`,
    '}',
  ].join('\n');
}

/**
 * Bundles the entry of the service at `serviceRoot` (workspace-relative) as one CommonJS module, every source read
 * through `read` (so a generator's Tree, a commit or the disk alike); npm packages and Node built-ins stay external,
 * for the child to require from the platform's node_modules. Throws the bundler's errors, each with its file.
 */
export async function bundleService(serviceRoot: string, read: SourceReader): Promise<string> {
  const { build } = await import('esbuild');
  const entry = posix.join(serviceRoot, ENTRY);
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      outfile: 'contract.cjs',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      logLevel: 'silent',
      plugins: [serviceSources(entry, () => entrySource(serviceRoot, read), read)],
    });
    const [output] = result.outputFiles;
    if (!output) throw new Error(`esbuild wrote no bundle for ${serviceRoot}`);
    return output.text;
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors;
    if (!messages?.length) throw error;
    throw new Error(messages.map(formatMessage).join('; '), { cause: error });
  }
}

/** Resolves relative imports among the workspace's files by reading them; everything else is a package. */
function serviceSources(entry: string, entryContents: () => string, read: SourceReader): Plugin {
  const cache = new Map<string, string | null>();
  const source = (path: string) => {
    if (!cache.has(path)) cache.set(path, path === entry ? entryContents() : read(path));
    return cache.get(path) ?? null;
  };
  return {
    name: 'service-sources',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: args.path, namespace: NAMESPACE };
        if (!args.path.startsWith('.')) return { path: args.path, external: true };
        const base = posix.join(posix.dirname(args.importer), args.path);
        const found = base.startsWith('..') ? undefined : candidates(base).find((path) => source(path) !== null);
        if (found) return { path: found, namespace: NAMESPACE };
        return { errors: [{ text: `cannot find "${args.path}", imported by ${args.importer}` }] };
      });
      build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
        contents: source(args.path) ?? '',
        loader: LOADERS[posix.extname(args.path)] ?? 'ts',
      }));
    },
  };
}

/** The files an import without an extension (or TypeScript's `./x.js` for `./x.ts`) may mean, in TypeScript's order. */
function candidates(base: string): string[] {
  const extension = posix.extname(base);
  if (extension === '.js') return [base, `${base.slice(0, -3)}.ts`];
  if (extension in LOADERS) return [base];
  return [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, `${base}.json`, `${base}.js`];
}

function formatMessage(message: Message): string {
  const where = message.location ? `${message.location.file}:${message.location.line}: ` : '';
  return `${where.replace(NAMESPACE_PREFIX, '')}${message.text}`;
}
