/**
 * A publish in its own process, for tests that run several at once or SIGKILL one midway:
 *   node --import tsx publish-child.ts '{"storeDir":…,"source":…,"service":…,"pauseAt":"afterBlobs","marker":…}'
 *   node --import tsx publish-child.ts '{"registry":"127.0.0.1:5000","source":…,"service":…,"expectedDigest":…}'
 * With `pauseAt`, the publish stops at that point, writes `marker` and waits to be killed.
 * Prints the PublishResult as JSON on success.
 */
import { writeFileSync } from 'node:fs';
import { OciLayoutArtifactStore } from '../oci-layout-store';
import { RegistryArtifactStore } from '../registry-store';
import type { ImageSource, PublishHooks } from '../store';

interface ChildArgs {
  /** An OCI layout store directory… */
  storeDir?: string;
  /** …or a registry `host:port`. */
  registry?: string;
  source: ImageSource;
  service: string;
  gitSha?: string;
  expectedDigest?: string;
  pauseAt?: keyof PublishHooks;
  marker?: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ChildArgs;
const pause = (phase: keyof PublishHooks) => async () => {
  if (args.pauseAt !== phase) return;
  if (args.marker) writeFileSync(args.marker, phase);
  setInterval(() => undefined, 1_000); // keep the process alive until it is killed
  await new Promise(() => undefined);
};
const store = args.registry
  ? new RegistryArtifactStore(args.registry)
  : new OciLayoutArtifactStore(args.storeDir ?? '.artifacts/oci');
const result = await store.publish(args.source, {
  service: args.service,
  ...(args.gitSha ? { gitSha: args.gitSha } : {}),
  ...(args.expectedDigest ? { expectedDigest: args.expectedDigest } : {}),
  hooks: { afterCopy: pause('afterCopy'), afterBlobs: pause('afterBlobs'), whileLocked: pause('whileLocked') },
});
console.log(JSON.stringify(result));
