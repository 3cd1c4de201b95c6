import { formatJson } from '../json-format';

interface PackageJson {
  name: string;
  version: string;
  description?: string;
  scripts?: Record<string, string>;
  [key: string]: unknown;
}

interface PackageLock {
  name: string;
  version: string;
  packages: Record<string, { name?: string; version?: string; resolved?: string; link?: boolean }>;
  [key: string]: unknown;
}

export interface WorkspacePackage {
  name: string;
  version: string;
  description: string;
}

/**
 * The platform's root package.json under the workspace's name: the same pinned toolchain and runtime dependencies (one
 * version policy, inherited), and the scripts whose entry file the workspace has (no benchmarks, no create-workspace).
 */
export function workspacePackageJson(
  platform: string,
  target: WorkspacePackage,
  has: (path: string) => boolean,
): string {
  const pkg = JSON.parse(platform) as PackageJson;
  const scripts = Object.fromEntries(
    Object.entries(pkg.scripts ?? {}).filter(([, command]) => scriptFiles(command).every(has)),
  );
  // prettier prints package.json as JSON.stringify does (every array expanded), unlike other JSON files.
  return `${JSON.stringify({ ...pkg, ...target, scripts }, null, 2)}\n`;
}

/** Workspace files a script runs, e.g. `tools/dev/src/demo-cli.ts` in `node --import tsx tools/dev/src/demo-cli.ts`. */
export function scriptFiles(command: string): string[] {
  return [...command.matchAll(/(?:^|\s)((?:[\w.-]+\/)+[\w.-]+\.[cm]?[jt]s)(?=\s|$)/g)].map((match) => match[1] ?? '');
}

/**
 * The platform's lockfile with the root renamed: `npm ci` / `npm install` give the team exactly the versions the
 * platform verified, resolved from the same cache. Workspace packages the copy leaves out (the workspace creator
 * itself) are dropped with their links, or `npm ci` would look for their folders. npm prints lockfiles with
 * two-space JSON.
 */
export function workspacePackageLock(
  platform: string,
  target: WorkspacePackage,
  has: (path: string) => boolean,
): string {
  const lock = JSON.parse(platform) as PackageLock;
  const root = lock.packages[''] ?? {};
  const leftOut = (folder: string) => !has(`${folder}/package.json`);
  const packages = Object.fromEntries(
    Object.entries(lock.packages).filter(([key, entry]) =>
      key === '' || key.startsWith('node_modules/')
        ? !(entry.link && entry.resolved !== undefined && leftOut(entry.resolved))
        : !leftOut(key),
    ),
  );
  return `${JSON.stringify(
    {
      ...lock,
      name: target.name,
      version: target.version,
      packages: { ...packages, '': { ...root, name: target.name, version: target.version } },
    },
    null,
    2,
  )}\n`;
}

/**
 * A copied project whose specs were all left out loses its `test` target: `vitest run` with no spec
 * files fails, and a team's `npm test` must pass from the first commit. Lint and typecheck still check the copy.
 */
export function withoutEmptyTestTarget(projectJson: string, projectRoot: string, paths: readonly string[]): string {
  const hasSpecs = paths.some((path) => path.startsWith(`${projectRoot}/`) && path.endsWith('.spec.ts'));
  const project = JSON.parse(projectJson) as { targets?: Record<string, unknown> };
  if (hasSpecs || !project.targets?.['test']) return projectJson;
  const { test: _test, ...targets } = project.targets;
  return formatJson({ ...project, targets });
}
