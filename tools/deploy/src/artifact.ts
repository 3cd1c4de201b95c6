/**
 * The deploy never builds: it takes the artifact stage's record (`dist/artifacts/<service>/artifact.json`) and proves
 * the image it names is whole in the artifact store — every blob re-hashed — before a manifest points at it.
 */
import { isAbsolute, resolve } from 'node:path';
import { openArtifactStore, type ArtifactStore } from '@musiccorp/artifact/store';
import { describeRecord, readArtifactRecord, type ArtifactRecord } from '@musiccorp/artifact/build-artifact';

export class ArtifactRefusedError extends Error {
  override name = 'ArtifactRefusedError';
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const GIT_SHA = /^[a-f0-9]{7,40}$/;

/** Reads and checks the record; a missing one means the artifact stage has not run (the deploy will not build it). */
export async function readRecord(workspaceRoot: string, service: string): Promise<ArtifactRecord> {
  const where = describeRecord(workspaceRoot, service);
  let record: ArtifactRecord;
  try {
    record = await readArtifactRecord(workspaceRoot, service);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new ArtifactRefusedError(
        `${where} does not exist. The deploy never builds: run the artifact stage first (npx nx run ${service}:artifact).`,
      );
    throw new ArtifactRefusedError(
      `${where} cannot be read (${(error as Error).message}); run the artifact stage again.`,
    );
  }
  checkRecord(record, service, where);
  return record;
}

export function checkRecord(record: Partial<ArtifactRecord>, service: string, where = 'the artifact record'): void {
  const problems: string[] = [];
  if (record.service !== service) problems.push(`"service" is ${JSON.stringify(record.service)}, not "${service}"`);
  if (typeof record.digest !== 'string' || !DIGEST.test(record.digest))
    problems.push('"digest" is not sha256:<64 hex>');
  if (typeof record.gitSha !== 'string' || !GIT_SHA.test(record.gitSha))
    problems.push('"gitSha" is not a git commit sha');
  if (problems.length > 0)
    throw new ArtifactRefusedError(
      `${where}: ${problems.join('; ')}. Run the artifact stage again (npx nx run ${service}:artifact --skip-nx-cache).`,
    );
}

/**
 * The store the record was built into, unless ARTIFACT_REGISTRY or ARTIFACT_STORE_DIR says otherwise (e.g. a CI job
 * reading a store mounted elsewhere).
 */
export function storeFor(
  record: ArtifactRecord,
  workspaceRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): ArtifactStore {
  if (env['ARTIFACT_REGISTRY']?.trim() || env['ARTIFACT_STORE_DIR']?.trim())
    return openArtifactStore({ workspaceRoot, env });
  const location = record.store?.location;
  if (record.store?.kind === 'registry' && location)
    return openArtifactStore({ workspaceRoot, env: { ARTIFACT_REGISTRY: location } });
  if (record.store?.kind === 'oci-layout' && location) {
    const dir = isAbsolute(location) ? location : resolve(workspaceRoot, location);
    return openArtifactStore({ workspaceRoot, env: { ARTIFACT_STORE_DIR: dir } });
  }
  return openArtifactStore({ workspaceRoot, env });
}

/** Re-hashes the image; any failure (missing, tampered, another service's image) refuses the deploy. */
export async function verifyArtifact(record: ArtifactRecord, store: ArtifactStore): Promise<void> {
  let labels: Record<string, string> | undefined;
  try {
    const image = await store.verify(record.digest, { service: record.service });
    labels = image.config.config?.Labels;
  } catch (error) {
    throw new ArtifactRefusedError(
      `Deploy refused: ${record.service} ${record.digest} failed verification in the ${store.describe()}.\n${(error as Error).message}`,
    );
  }
  const labelled = labels?.['io.musiccorp.service'];
  if (labelled !== undefined && labelled !== record.service)
    throw new ArtifactRefusedError(
      `Deploy refused: ${record.digest} is an image of "${labelled}" (its io.musiccorp.service label), not of "${record.service}". Run the artifact stage for ${record.service} again.`,
    );
}
