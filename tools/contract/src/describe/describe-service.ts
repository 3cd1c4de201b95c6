import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICES_DIR } from '@musiccorp/core/service-layout';
import { bundleService, CONTRACT_MODULE, NAMESPACE_PREFIX, type SourceReader } from './bundle';

export type { SourceReader } from './bundle';

/** What a service's code declares: the documents its committed contract files must hold. */
export interface ServiceContract {
  openapi: object;
  events: object;
}

export type ServiceDescription =
  | { service: string; contract: ServiceContract; error?: undefined }
  | { service: string; error: string; contract?: undefined };

/** How long one service may take to register its routes: longer means it waits on something (see contract.ts). */
export const DESCRIBE_TIMEOUT_MS = 20_000;
/** Below this many services per core, one child process (its start-up, ~0.2 s) is cheaper than another. */
const SERVICES_PER_CHILD = 10;

/**
 * Where the child process requires the services' npm packages from: the node_modules above this module, the
 * platform's (services have none of their own). Bundled as CommonJS (the generators) `__filename` is this code's
 * bundle; as ESM, import.meta.url is this file.
 */
const RESOLVE_FROM = dirname(typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url));

/** Reads the workspace at `root` from disk. */
export function diskReader(root: string): SourceReader {
  return (path) => {
    try {
      return readFileSync(join(root, path), 'utf8');
    } catch {
      return null;
    }
  };
}

/** Whether the service's chassis builds contracts (a service not upgraded since has no contract to keep). */
export function hasContractChassis(service: string, read: SourceReader): boolean {
  return read(posix.join(SERVICES_DIR, service, CONTRACT_MODULE)) !== null;
}

/**
 * The contracts of `services` as their code declares them, by running it: each service's routes and events catalog
 * are bundled with its own chassis (src/chassis/contract.ts), every source read through `read` (default: the disk at
 * `workspaceRoot`), and run in a child `node` process with an empty environment. Throws one error naming every
 * service that could not be described, and why.
 */
export async function describeServices(
  workspaceRoot: string,
  services: readonly string[],
  read: SourceReader = diskReader(workspaceRoot),
): Promise<Map<string, ServiceContract>> {
  const descriptions = await describeEachService(services, read);
  const failed = descriptions.filter((description) => description.error !== undefined);
  if (failed.length > 0) {
    throw new Error(
      `Could not build the contract of ${failed.map((description) => description.service).join(', ')} from the code:\n${failed.map((description) => `  ${description.service}: ${description.error}`).join('\n')}`,
    );
  }
  return new Map(descriptions.map((description) => [description.service, description.contract as ServiceContract]));
}

/** Like describeServices, one outcome per service in the order given, a failure as its message: for callers that go on. */
export async function describeEachService(
  services: readonly string[],
  read: SourceReader,
): Promise<ServiceDescription[]> {
  const bundles = await Promise.all(
    services.map(async (service): Promise<{ service: string; code?: string; error?: string }> => {
      if (!hasContractChassis(service, read)) {
        return {
          service,
          error: `${SERVICES_DIR}/${service}/${CONTRACT_MODULE} is missing: its chassis predates contracts. Upgrade it: npx nx g @musiccorp/generators:upgrade ${service}`,
        };
      }
      try {
        return { service, code: await bundleService(posix.join(SERVICES_DIR, service), read) };
      } catch (error) {
        return { service, error: (error as Error).message };
      }
    }),
  );
  const runnable = bundles.flatMap(({ service, code }) => (code === undefined ? [] : [{ service, code }]));
  const results = new Map((await runBundles(runnable)).map((result) => [result.service, result]));
  return bundles.map(({ service, error }) => results.get(service) ?? { service, error: error ?? 'not described' });
}

/**
 * Runs the bundles in child processes and returns what each `describe()` gave or threw. Each is a
 * file in a scratch folder (removed after), so --enable-source-maps maps a failure's frames to the service's files;
 * NODE_PATH lets it require the npm packages from the platform's node_modules.
 */
async function runBundles(bundles: ReadonlyArray<{ service: string; code: string }>): Promise<ServiceDescription[]> {
  if (bundles.length === 0) return [];
  const scratch = mkdtempSync(join(tmpdir(), 'musiccorp-contract-'));
  try {
    const files = bundles.map(({ service, code }) => {
      const file = join(scratch, `${service}.cjs`);
      writeFileSync(file, code);
      return { service, file };
    });
    // Services are described one after the other in a child; a large workspace is split across the cores.
    const children = Math.min(availableParallelism(), Math.ceil(files.length / SERVICES_PER_CHILD));
    const share = Math.ceil(files.length / children);
    const shares = Array.from({ length: children }, (_, index) => files.slice(index * share, (index + 1) * share));
    return (await Promise.all(shares.map(runChild))).flat();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

type BundleFile = { service: string; file: string };

/**
 * Describes `files` in one child process, which answers service by service. A child that dies (a service's code
 * exits, or crashes it) fails the service it was describing with what it printed on stderr; the services after that
 * one are described again in a new child. The child is stopped once it has answered: a service's timers or sockets
 * must not keep it waiting.
 */
async function runChild(files: readonly BundleFile[]): Promise<ServiceDescription[]> {
  if (files.length === 0) return [];
  const child = spawn(process.execPath, ['--enable-source-maps', '-e', CHILD_PROGRAM], {
    env: { PATH: process.env.PATH ?? '', NODE_PATH: nodeModulesAbove(RESOLVE_FROM).join(delimiter) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  const answered: ServiceDescription[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (answer: ServiceDescription | 'done') => {
        if (answer === 'done') resolve();
        else answered.push(answer);
      });
      child.once('close', (code, signal) => reject(new Error(`exited (${signal ?? `code ${code}`}) before answering`)));
      child.send({ files, timeoutMs: DESCRIBE_TIMEOUT_MS });
    });
    return answered;
  } catch (error) {
    const [culprit, ...rest] = files.slice(answered.length);
    if (!culprit) return answered;
    const printed = stderr.trim() ? `:\n${stderr.trim()}` : '';
    const failure = {
      service: culprit.service,
      error: `the process describing it ${(error as Error).message}${printed}`,
    };
    return [...answered, failure, ...(await runChild(rest))];
  } finally {
    child.kill();
  }
}

/** The node_modules folders `require` would search from `dir`, nearest first. */
function nodeModulesAbove(dir: string): string[] {
  const folders: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    if (basename(current) !== 'node_modules') folders.push(join(current, 'node_modules'));
    if (dirname(current) === current) return folders;
  }
}

/**
 * The child's program (plain CommonJS, run with `node -e`): each bundle is required, then its `describe()` awaited, at
 * most `timeoutMs`. A failure is reported as its message and the first frame in the service's own code.
 */
const CHILD_PROGRAM = `
'use strict';

function failure(error) {
  const message = error instanceof Error ? error.message : String(error);
  const frame = String((error && error.stack) || '')
    .split('\\n')
    .find((line) => line.includes('${NAMESPACE_PREFIX}'));
  const at = frame ? frame.slice(frame.indexOf('${NAMESPACE_PREFIX}') + ${NAMESPACE_PREFIX.length}).replace(/\\)$/, '') : '';
  return at ? message + ' (at ' + at + ')' : message;
}

async function describe(file, timeoutMs) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('registering the routes did not finish within ' + timeoutMs / 1000 + ' s: they must not wait on a connection or anything else (see src/chassis/contract.ts)')),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([require(file).describe(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const answer = (message) => new Promise((resolve) => process.send(message, resolve));

process.once('message', async ({ files, timeoutMs }) => {
  for (const { service, file } of files) {
    try {
      await answer({ service, contract: await describe(file, timeoutMs) });
    } catch (error) {
      await answer({ service, error: failure(error) });
    }
  }
  await answer('done');
  process.exit(0);
});
`;
