/**
 * Which installed npm packages a package-lock.json change really changed.
 *
 * Nx's own lockfile locator with `projectsAffectedByDependencyUpdates: "auto"` only understands pnpm's `importers`;
 * for package-lock.json it touches nothing, and with the default ("all") it touches every project. We diff the
 * `packages` map instead: an entry whose version, tarball or integrity differs is a changed package, which we map to the
 * external node Nx built from the same lockfile, so the project graph says which projects depend on it.
 */

export interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  name?: string;
  link?: boolean;
}

export interface LockfilePackageChange {
  /** Path in the lockfile, e.g. `node_modules/fastify` or `node_modules/a/node_modules/b`. */
  path: string;
  packageName: string;
  before: string | undefined;
  after: string | undefined;
}

type Packages = Record<string, LockEntry>;

function packagesOf(text: string): Packages | undefined {
  if (!text.trim()) return {};
  const json = JSON.parse(text) as { lockfileVersion?: number; packages?: Packages };
  return json.packages; // lockfileVersion 1 has no `packages`: the caller falls back to Nx
}

export function packageNameOf(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** The version Nx's npm parser gives a lockfile entry (nx/src/plugins/js/lock-file/npm-parser.js findV3Version). */
export function nxVersionOf(entry: LockEntry, packageName: string): string | undefined {
  let version = entry.version;
  if (!version || (entry.resolved && !entry.resolved.includes(version))) version = entry.resolved;
  if (entry.name && entry.name !== packageName)
    version = version ? `npm:${entry.name}@${version}` : `npm:${entry.name}`;
  return version;
}

const identity = (entry: LockEntry | undefined) =>
  entry ? `${entry.version ?? ''}\0${entry.resolved ?? ''}\0${entry.integrity ?? ''}\0${entry.link ? 'link' : ''}` : '';

/**
 * Installed packages (lockfile entries under node_modules/) added, removed or changed between two package-lock.json
 * texts. Workspace links and the root entry are left out: a change there is a change to a package.json, which Nx
 * already sees. Returns undefined for a lockfile without a `packages` map (npm 6, lockfileVersion 1).
 */
export function diffNpmLockfile(baseText: string, headText: string): LockfilePackageChange[] | undefined {
  const base = packagesOf(baseText);
  const head = packagesOf(headText);
  if (!base || !head) return undefined;
  const changes: LockfilePackageChange[] = [];
  for (const path of new Set([...Object.keys(base), ...Object.keys(head)])) {
    if (!path.includes('node_modules/')) continue;
    const before = base[path];
    const after = head[path];
    if (before?.link && after?.link) continue;
    if (identity(before) === identity(after)) continue;
    const packageName = packageNameOf(path);
    changes.push({
      path,
      packageName,
      before: before ? nxVersionOf(before, packageName) : undefined,
      after: after ? nxVersionOf(after, packageName) : undefined,
    });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export interface ExternalNodeLike {
  name: string;
  data: { packageName: string; version: string };
}

/**
 * The external node (npm:…) that stands for a changed entry in the head graph, plus a description of the change.
 * A removed nested entry (a/node_modules/b) stands for its parent, which now resolves b elsewhere; a removed hoisted
 * entry needs no node: whoever used it resolves it differently now, and that shows up as its own change.
 */
export function nodeForChange(
  change: LockfilePackageChange,
  byNameAndVersion: Map<string, string>,
  headPackages: (path: string) => LockEntry | undefined,
): { node: string; detail: string } | undefined {
  if (change.after !== undefined) {
    const node = byNameAndVersion.get(`${change.packageName}@${change.after}`);
    if (!node) return undefined;
    const detail = change.before === undefined ? `added ${change.after}` : `${change.before} → ${change.after}`;
    return {
      node,
      detail: change.path === `node_modules/${change.packageName}` ? detail : `${detail} at ${change.path}`,
    };
  }
  const cut = change.path.lastIndexOf('/node_modules/');
  if (cut < 0) return undefined;
  const parentPath = change.path.slice(0, cut);
  const parent = headPackages(parentPath);
  if (!parent) return undefined;
  const parentName = packageNameOf(parentPath);
  const version = nxVersionOf(parent, parentName);
  const node = version ? byNameAndVersion.get(`${parentName}@${version}`) : undefined;
  return node
    ? { node, detail: `nested ${change.packageName} ${change.before ?? ''} removed`.replace('  ', ' ') }
    : undefined;
}

export function indexExternalNodes(nodes: Record<string, ExternalNodeLike>): Map<string, string> {
  const index = new Map<string, string>();
  for (const node of Object.values(nodes)) {
    const key = `${node.data.packageName}@${node.data.version}`;
    // A package both hoisted and nested at the same version is one node; prefer the hoisted name (npm:x).
    if (!index.has(key) || node.name === `npm:${node.data.packageName}`) index.set(key, node.name);
  }
  return index;
}

export function lockfilePackages(text: string): (path: string) => LockEntry | undefined {
  const packages = packagesOf(text) ?? {};
  return (path) => packages[path];
}
