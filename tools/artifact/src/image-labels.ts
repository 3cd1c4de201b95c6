/**
 * The build args behind a service image's OCI labels (the Dockerfile's `LABEL org.opencontainers.image.*`), taken
 * from the service itself so the image says what it holds:
 *
 * - SERVICE_VERSION and SERVICE_DESCRIPTION: `version` and `description` of the service's package.json — the version
 *   the chassis reports on `/metrics` and in every log line;
 * - SOURCE_URL, unless the caller gives one (the artifact stage passes env SOURCE_URL): the repository's `origin`
 *   remote as a browsable URL, credentials and `.git` removed; none for a remote that is a local path.
 *
 * No `created`: images are built with `--timestamp 0` (created 1970-01-01), so the same commit gives the same digest;
 * the revision label names the commit, and its date says when.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tryGit } from '@musiccorp/core/git';

export async function imageLabelArgs(
  contextDir: string,
  given: Record<string, string> = {},
): Promise<Record<string, string>> {
  const labels: Record<string, string> = { ...(await packageLabels(contextDir)) };
  if (given['SOURCE_URL'] === undefined) {
    const remote = tryGit(contextDir, ['remote', 'get-url', 'origin'])?.trim();
    const sourceUrl = remote ? sourceUrlOfRemote(remote) : undefined;
    if (sourceUrl) labels['SOURCE_URL'] = sourceUrl;
  }
  return { ...labels, ...given };
}

async function packageLabels(contextDir: string): Promise<Record<string, string>> {
  const file = join(contextDir, 'package.json');
  if (!existsSync(file)) return {};
  let manifest: { version?: unknown; description?: unknown };
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as typeof manifest;
  } catch (error) {
    throw new Error(
      `${file} is not valid JSON (${(error as Error).message}): the image's version and description labels come from it. Fix the JSON, then build again.`,
    );
  }
  return {
    ...(typeof manifest.version === 'string' ? { SERVICE_VERSION: manifest.version } : {}),
    ...(typeof manifest.description === 'string' ? { SERVICE_DESCRIPTION: manifest.description } : {}),
  };
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** git's scp-like syntax, `[user@]host:path`: no scheme, and a colon before any slash. */
const SCP_LIKE = /^(?:[^@/]+@)?([^:/]+):(.+)$/;

/**
 * Where a git remote can be browsed: `https://github.com/musiccorp/platform` for `git@github.com:musiccorp/platform.git`,
 * `ssh://git@github.com/musiccorp/platform.git` or `https://token@github.com/musiccorp/platform.git` alike — never
 * with credentials. Undefined for a local path or `file://` remote: no one else can reach it.
 */
export function sourceUrlOfRemote(remote: string): string | undefined {
  const scp = SCHEME.test(remote) ? null : SCP_LIKE.exec(remote);
  let url: URL;
  try {
    url = new URL(scp ? `ssh://${scp[1]}/${scp[2]?.replace(/^\/+/, '')}` : remote);
  } catch {
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\.git$/, '');
  if (url.protocol === 'http:' || url.protocol === 'https:') return `${url.protocol}//${url.host}${path}`;
  // ssh and git transports: the same host serves the repository over https (its port is the transport's, not https's).
  if (url.protocol === 'ssh:' || url.protocol === 'git:') return `https://${url.hostname}${path}`;
  return undefined;
}
