/**
 * A real OCI registry for tests and local pipelines: Debian's `docker-registry` (CNCF distribution 2.8) serving plain
 * HTTP on 127.0.0.1 from a temp directory. Push to it with skopeo `--dest-tls-verify=false`.
 *
 *   const registry = await startRegistry();          // registry.host === '127.0.0.1:PORT'
 *   ... ARTIFACT_REGISTRY=registry.host ...
 *   await registry.stop();                            // stops it and deletes its temp root
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from '@musiccorp/core/service-process';

export interface RegistryOptions {
  /** Where the registry keeps its blobs; default: a new temp dir, deleted by `stop()`. */
  root?: string;
  /** Default: a free port. */
  port?: number;
  readyTimeoutMs?: number;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, what `ARTIFACT_REGISTRY` takes. */
  host: string;
  url: string;
  root: string;
  pid: number;
  /** Everything the registry wrote to stderr so far (its log). */
  log(): string;
  stop(): Promise<void>;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const ownRoot = !options.root;
  const root = options.root ?? (await mkdtemp(join(tmpdir(), 'musiccorp-registry-')));
  await mkdir(join(root, 'data'), { recursive: true });
  let lastError: unknown;
  // A free port can be taken between the check and the bind: try a few.
  for (let attempt = 0; attempt < (options.port ? 1 : 3); attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await launch(root, port, ownRoot, options.readyTimeoutMs ?? 10_000);
    } catch (error) {
      lastError = error;
    }
  }
  if (ownRoot) await rm(root, { recursive: true, force: true });
  throw lastError;
}

async function launch(root: string, port: number, ownRoot: boolean, readyTimeoutMs: number): Promise<RunningRegistry> {
  const host = `127.0.0.1:${port}`;
  const config = join(root, `config-${port}.yml`);
  await writeFile(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(root, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      'health:',
      '  storagedriver:',
      '    enabled: false',
      '',
    ].join('\n'),
  );
  let stderr = '';
  const child: ResultPromise = execa('docker-registry', ['serve', config], {
    reject: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    buffer: false,
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  const url = `http://${host}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.killed) {
      const result = await child;
      if ((result as { code?: string }).code === 'ENOENT')
        throw new Error('docker-registry is not installed (apt-get install -y docker-registry).');
      throw new Error(
        `docker-registry on ${host} exited with code ${result.exitCode} before it answered /v2/:\n${stderr}`,
      );
    }
    try {
      const response = await fetch(`${url}/v2/`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await child;
      throw new Error(`docker-registry on ${host} did not answer /v2/ within ${readyTimeoutMs} ms:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }

  return {
    host,
    url,
    root,
    pid: child.pid ?? -1,
    log: () => stderr,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await child;
        clearTimeout(timer);
      }
      if (ownRoot) await rm(root, { recursive: true, force: true });
    },
  };
}
