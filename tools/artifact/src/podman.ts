/**
 * Running a stored image with podman (daemonless, runc, vfs storage): load it with `store.loadInto(storage, digest)`,
 * then run it here. What works in this sandbox (see PODMAN_RUN_FLAGS):
 *  - `--network none`: the container has only its own loopback; probe the app from INSIDE (runInContainer with
 *    `node -e …`), it cannot be reached from the host;
 *  - `--network host`: the app listens on the host's 127.0.0.1 and the host can call it (startContainer).
 * Port publishing (`-p`) would need netavark/slirp networking and is not used.
 */
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { PODMAN_RUN_FLAGS, podman, podmanFlags, type ContainerStorage } from './containers';

export interface RunOptions {
  network?: 'none' | 'host';
  env?: Record<string, string>;
  user?: string;
  /** Replaces the image's entrypoint (e.g. `node` to run a probe script). */
  entrypoint?: string;
}

function runFlags(options: RunOptions): string[] {
  return [
    ...PODMAN_RUN_FLAGS,
    '--network',
    options.network ?? 'none',
    ...Object.entries(options.env ?? {}).flatMap(([key, value]) => ['--env', `${key}=${value}`]),
    ...(options.user ? ['--user', options.user] : []),
    ...(options.entrypoint ? ['--entrypoint', options.entrypoint] : []),
  ];
}

/** `podman run --rm` to completion; returns stdout. Throws with stderr when the command fails. */
export async function runInContainer(
  storage: ContainerStorage,
  image: string,
  command: string[],
  options: RunOptions = {},
): Promise<string> {
  const { stdout } = await podman(storage, ['run', '--rm', ...runFlags(options), image, ...command]);
  return stdout;
}

export interface RunningContainer {
  name: string;
  /** `podman rm --force` (stops it, then removes it). */
  stop(): Promise<void>;
}

/** `podman run --detach` with the image's own command; stop it with `stop()`. */
export async function startContainer(
  storage: ContainerStorage,
  image: string,
  options: RunOptions & { name?: string; command?: string[] } = {},
): Promise<RunningContainer> {
  const name = options.name ?? `musiccorp-${randomBytes(4).toString('hex')}`;
  await podman(storage, ['run', '--detach', '--name', name, ...runFlags(options), image, ...(options.command ?? [])]);
  return {
    name,
    async stop() {
      await execa('podman', [...podmanFlags(storage), 'rm', '--force', '--time', '5', name], { reject: false });
    },
  };
}

/** The container's output so far (`podman logs`). */
export async function containerLogs(storage: ContainerStorage, name: string): Promise<string> {
  const result = await execa('podman', [...podmanFlags(storage), 'logs', name], { reject: false, all: true });
  return String(result.all ?? '');
}
