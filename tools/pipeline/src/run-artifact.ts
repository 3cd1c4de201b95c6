/**
 * Runs the STORED artifact — never a fresh build — on 127.0.0.1 for the test stages:
 *  - with podman (default when installed): the image is copied from the store, verified, into the run storage and
 *    started with `--network host`, listening on a free port of the host's loopback;
 *  - without podman (or PIPELINE_RUNTIME=node): the verified image's root file system is unpacked and its app files
 *    are run with the local node (the image's own node is the base image's; the app layer is what was built).
 * Either way `digest` is the digest of what actually runs, read back from the runtime, not from the record.
 */
import { execa } from 'execa';
import type { ArtifactStore } from '@musiccorp/artifact/store';
import type { ArtifactRecord } from '@musiccorp/artifact/build-artifact';
import { inspectImage, podman, podmanFlags, type ContainerStorage } from '@musiccorp/artifact/containers';
import { containerLogs, startContainer } from '@musiccorp/artifact/podman';
import { freePort, startService, type LogLine } from '@musiccorp/core/service-process';
import { runStorage } from './storage';

export interface RunningArtifact {
  url: string;
  /** The manifest digest of the image that is running. */
  digest: string;
  runtime: 'podman' | 'node';
  /** Its log lines so far (JSON lines parsed; anything else kept under `msg`). */
  logs(): Promise<LogLine[]>;
  /** SIGTERM, then the exit code once it has drained (undefined if it had to be killed). */
  stop(): Promise<number | undefined>;
  /** Removes whatever is left (container, unpacked files). */
  dispose(): Promise<void>;
}

export interface StartArtifactOptions {
  workspaceRoot: string;
  artifact: ArtifactRecord;
  store: ArtifactStore;
  /** Used to name the container, so a killed earlier run's leftover is replaced. */
  stage: string;
  env: Record<string, string>;
  readyPath: string;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_SECONDS = 20;

export async function startArtifact(options: StartArtifactOptions): Promise<RunningArtifact> {
  const runtime = process.env['PIPELINE_RUNTIME'] ?? ((await hasPodman()) ? 'podman' : 'node');
  if (runtime !== 'podman' && runtime !== 'node') throw new Error(`PIPELINE_RUNTIME must be podman or node.`);
  const port = await freePort();
  // The configured port is the service's port in a cluster; here the host's loopback is shared, so take a free one.
  // No load balancer routes to a test run: stop at once instead of draining for the readiness probe.
  const env = { SHUTDOWN_DRAIN_DELAY_MS: '0', ...options.env, PORT: String(port), HOST: '127.0.0.1' };
  return runtime === 'podman' ? startInPodman(options, env, port) : startWithLocalNode(options, env, port);
}

async function hasPodman(): Promise<boolean> {
  return (await execa('sh', ['-c', 'command -v podman'], { reject: false })).exitCode === 0;
}

async function startInPodman(
  options: StartArtifactOptions,
  env: Record<string, string>,
  port: number,
): Promise<RunningArtifact> {
  const { artifact, store } = options;
  const storage = runStorage(options.workspaceRoot);
  const image = await store.loadInto(storage, artifact.digest, { service: artifact.service });
  const digest = (await inspectImage(storage, image))?.digest ?? 'unknown';
  const name = `pipeline-${artifact.service}-${options.stage}`;
  await execa('podman', [...podmanFlags(storage), 'rm', '--force', '--ignore', name], { reject: false });
  const container = await startContainer(storage, image, { name, network: 'host', env });
  const logs = async () => parseLogLines(await containerLogs(storage, name));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForReady(`${url}${options.readyPath}`, () => isRunning(storage, name), logs);
  } catch (error) {
    await container.stop();
    throw error;
  }
  let stopped: Promise<number | undefined> | undefined;
  return {
    url,
    digest,
    runtime: 'podman',
    logs,
    stop: () =>
      (stopped ??= (async () => {
        await podman(storage, ['stop', '--time', String(STOP_TIMEOUT_SECONDS), name]);
        const { stdout } = await podman(storage, ['inspect', '--format', '{{.State.ExitCode}}', name]);
        return Number(stdout.trim());
      })()),
    dispose: () => container.stop(),
  };
}

async function isRunning(storage: ContainerStorage, name: string): Promise<boolean> {
  const { stdout } = await podman(storage, ['inspect', '--format', '{{.State.Running}}', name]).catch(() => ({
    stdout: 'false',
  }));
  return stdout.trim() === 'true';
}

async function startWithLocalNode(
  options: StartArtifactOptions,
  env: Record<string, string>,
  port: number,
): Promise<RunningArtifact> {
  const rootfs = await options.store.materialize(options.artifact.digest, { service: options.artifact.service });
  try {
    const entry = rootfs.command.at(-1);
    if (rootfs.command[0] !== 'node' || !entry)
      throw new Error(`The image's command ${JSON.stringify(rootfs.command)} is not "node … <script>".`);
    const { PATH: _imagePath, ...imageEnv } = rootfs.env; // the host's PATH finds the local node
    const service = await startService({
      cwd: rootfs.workdir,
      entry,
      port,
      env: { ...imageEnv, ...env },
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
    let stopped: Promise<number | undefined> | undefined;
    return {
      url: service.url,
      digest: rootfs.digest,
      runtime: 'node',
      logs: async () => service.logs,
      stop: () => (stopped ??= service.stop('SIGTERM')),
      dispose: async () => {
        if (service.process.exitCode === null) await service.stop('SIGKILL');
        await rootfs.dispose();
      },
    };
  } catch (error) {
    await rootfs.dispose();
    throw error;
  }
}

async function waitForReady(url: string, running: () => Promise<boolean>, logs: () => Promise<LogLine[]>) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    // Checked now and then, not on every poll: each check is a podman process.
    if (attempt % 20 === 19 && !(await running())) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const tail = (await logs()).slice(-20).map((line) => JSON.stringify(line));
  throw new Error(
    `The artifact did not answer 200 on ${url} within ${READY_TIMEOUT_MS} ms. Its last log lines:\n${tail.join('\n')}`,
  );
}

export function parseLogLines(text: string): LogLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return { level: 0, msg: line };
      }
    });
}
