/**
 * The touched-project locators, as in Nx (nx/src/project-graph/affected/affected-project-graph.js), each recording
 * WHY it touched a node: project files, root inputs of targets, deploy configuration, the root package.json per
 * dependency, package-lock.json per installed package, the root tsconfig, and deleted project configurations.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { Minimatch } from 'minimatch';
import type { NxJsonConfiguration } from 'nx/src/config/nx-json.js';
import type { ProjectGraph, ProjectGraphProjectNode } from 'nx/src/config/project-graph.js';
import { getTouchedProjectsFromLockFile } from 'nx/src/plugins/js/project-graph/affected/lock-file-changes.js';
import { getTouchedNpmPackages } from 'nx/src/plugins/js/project-graph/affected/npm-packages.js';
import { getTouchedProjectsFromTsConfig } from 'nx/src/plugins/js/project-graph/affected/tsconfig-json-changes.js';
import { jsPluginConfig } from 'nx/src/plugins/js/utils/config.js';
import { getRootTsConfigFileName } from 'nx/src/plugins/js/utils/typescript.js';
import {
  DeletedFileChange,
  WholeFileChange,
  readPackageJson,
  type Change,
  type FileChange,
} from 'nx/src/project-graph/file-utils.js';
import { getPlugins } from 'nx/src/project-graph/plugins/get-plugins.js';
import { createProjectRootMappings, findProjectForPath } from 'nx/src/project-graph/utils/find-project-for-path.js';
import { getGlobPatternsOfPlugins } from 'nx/src/project-graph/utils/retrieve-workspace-files.js';
import { JsonDiffType, isJsonChange, jsonDiff } from 'nx/src/utils/json-diff.js';
import { SERVICE_TAG } from '@musiccorp/core/services';
import { filesContaining, readAt, type ChangedFile, type Revisions } from './git';
import { TargetInputs, deployConfigMatchers, rootInputRules } from './inputs';
import { diffNpmLockfile, indexExternalNodes, lockfilePackages, nodeForChange } from './lockfile';
import type { Touches } from './reasons';

const LOCK_FILES = ['package-lock.json', 'yarn.lock', 'pnpm-lock.yaml', 'pnpm-lock.yml', 'bun.lock', 'bun.lockb'];

type Node = ProjectGraphProjectNode;
export const isService = (node: Node | undefined) => !!node?.data.tags?.includes(SERVICE_TAG);

export interface RemovedProject {
  name: string;
  root: string;
  service: boolean;
  /** Changed (deleted) files under its folder. */
  files: number;
}

export interface Reader {
  base: (file: string) => string;
  head: (file: string) => string;
}

/** A FileChange like Nx's calculateFileChanges makes, reading the base and head through our git helpers. */
export function toFileChange(root: string, revisions: Revisions, changed: ChangedFile): FileChange {
  let changes: Change[] | undefined;
  return {
    file: changed.file,
    getChanges: () => {
      if (changes) return changes;
      if (changed.status === 'deleted' || !existsSync(join(root, changed.file)))
        return (changes = [new DeletedFileChange()]);
      if (extname(changed.file) !== '.json') return (changes = [new WholeFileChange()]);
      try {
        const before = JSON.parse(readAt(root, revisions.mergeBase, changed.file)) as unknown;
        const after = JSON.parse(readAt(root, revisions.head.sha, changed.file)) as unknown;
        return (changes = jsonDiff(before, after));
      } catch {
        return (changes = [new WholeFileChange()]);
      }
    },
  };
}

/** Files under a project's root touch the project (Nx: workspace-projects getTouchedProjects). */
export function touchProjectFiles(
  changed: ChangedFile[],
  nodes: Record<string, Node>,
  inputs: TargetInputs,
  touches: Touches,
): void {
  const rootMap = createProjectRootMappings(nodes);
  const perProject = new Map<string, ChangedFile[]>();
  for (const change of changed) {
    const project = findProjectForPath(change.file, rootMap);
    if (!project) continue;
    const files = perProject.get(project);
    if (files) files.push(change);
    else perProject.set(project, [change]);
  }
  for (const [project, files] of perProject) {
    const node = nodes[project];
    if (!node) continue;
    const root = node.data.root;
    const isNew =
      files.every((f) => f.status === 'added') &&
      files.some((f) => /^(project|package)\.json$/.test(f.file.slice(root.length + 1)));
    if (isNew) {
      touches.add(project, {
        kind: 'new-project',
        text: `new project ${root} (${files.length} files added)`,
        files: files.map((f) => f.file),
        targets: 'all',
      });
      continue;
    }
    for (const change of files) {
      touches.add(project, {
        kind: 'file',
        text: change.status === 'deleted' ? `${change.file} (deleted)` : change.file,
        files: [change.file],
        targets: inputs.targetsForProjectFile(node, change.file),
      });
    }
  }
}

/** nx.json touches everything; workspace files listed in target inputs touch those projects (Nx: implicit locator). */
export function touchRootInputs(
  changed: ChangedFile[],
  nodes: Record<string, Node>,
  nxJson: NxJsonConfiguration,
  touches: Touches,
): void {
  if (changed.some((c) => c.file === 'nx.json')) {
    touches.addEverything({
      kind: 'everything',
      text: 'nx.json (workspace configuration: affects every project)',
      files: ['nx.json'],
      targets: 'all',
    });
  }
  const rules = rootInputRules(nodes, nxJson);
  for (const change of changed) {
    for (const rule of rules) {
      if (!rule.matcher.match(change.file)) continue;
      for (const [project, targets] of rule.projects) {
        const list = [...targets].sort();
        touches.add(project, {
          kind: 'root-input',
          text: `${change.file} (root input of ${list.join(', ')})`,
          files: [change.file],
          targets: list,
        });
      }
    }
  }
}

/** Deploy configuration (targetDefaults.deploy inputs): every service, deploy only. */
export function touchDeployConfig(
  changed: ChangedFile[],
  nodes: Record<string, Node>,
  nxJson: NxJsonConfiguration,
  touches: Touches,
): void {
  const matchers = deployConfigMatchers(nxJson);
  const services = Object.values(nodes).filter(isService);
  for (const change of changed) {
    if (!matchers.some((m) => m.match(change.file))) continue;
    const environment = basename(change.file, extname(change.file));
    const what = change.status === 'deleted' ? `environment ${environment} removed` : `environment ${environment}`;
    for (const service of services) {
      touches.add(service.name, {
        kind: 'deploy-config',
        text: `deploy config ${change.file} (${what}: read at deploy time, not an artifact input)`,
        files: [change.file],
        targets: ['deploy'],
      });
    }
  }
}

/** Root package.json: per dependency, like Nx's npm-packages locator, with the version change in the reason. */
export async function touchRootPackageJson(
  fileChanges: FileChange[],
  graph: ProjectGraph,
  nxJson: NxJsonConfiguration,
  touches: Touches,
  notes: string[],
): Promise<void> {
  const change = fileChanges.find((f) => f.file === 'package.json');
  if (!change) return;
  const externals = Object.values(graph.externalNodes ?? {});
  const global = new Set([
    'nx',
    ...(nxJson.plugins ?? []).map((p) => packageNameOf(typeof p === 'string' ? p : p.plugin)),
  ]);
  for (const c of change.getChanges()) {
    if (!isJsonChange(c)) {
      touches.addEverything({
        kind: 'everything',
        text: 'package.json (could not be compared as JSON: affects every project)',
        files: ['package.json'],
        targets: 'all',
      });
      return;
    }
    const [section, name] = c.path;
    if ((section === 'dependencies' || section === 'devDependencies') && c.path.length === 2 && name) {
      if (c.type === JsonDiffType.Deleted) {
        touches.addEverything({
          kind: 'everything',
          text: `package.json ${section}.${name} removed (Nx cannot tell which projects used it: affects every project)`,
          files: ['package.json'],
          targets: 'all',
        });
        continue;
      }
      const node =
        graph.externalNodes?.[`npm:${name}`]?.name ??
        externals.find((n) => n.data.packageName === name)?.name ??
        graph.nodes[name]?.name;
      if (!node) {
        notes.push(
          `package.json ${section}.${name} changed but ${name} is not in the lockfile/project graph (run npm install?).`,
        );
        continue;
      }
      const detail = `package.json ${section}.${name} ${c.type === JsonDiffType.Added ? `added ${String(c.value.rhs)}` : `${String(c.value.lhs)} → ${String(c.value.rhs)}`}`;
      if (global.has(name)) {
        touches.addEverything({
          kind: 'everything',
          text: `${detail} (Nx itself or an Nx plugin: affects every project)`,
          files: ['package.json'],
          targets: 'all',
        });
        continue;
      }
      touches.addNpm(node, detail, 'package.json');
      if (name.startsWith('@types/') && graph.externalNodes?.[`npm:${name.slice('@types/'.length)}`]) {
        touches.addNpm(`npm:${name.slice('@types/'.length)}`, detail, 'package.json');
      }
    } else if (section === 'overrides' || section === 'resolutions' || (section === 'pnpm' && name === 'overrides')) {
      // Delegate to Nx for overrides; it touches the package or, when unsure, every project.
      const touched = await getTouchedNpmPackages(
        [{ file: 'package.json', getChanges: () => [c] }],
        graph.nodes,
        nxJson,
        readPackageJson(),
        graph,
      );
      const label = `package.json ${c.path.join('.')}`;
      if (touched.length && touched.every((t) => graph.nodes[t])) {
        touches.addEverything({
          kind: 'everything',
          text: `${label} changed (affects every project)`,
          files: ['package.json'],
          targets: 'all',
        });
      } else {
        touched.forEach((t) => touches.addNpm(t, `${label} changed`, 'package.json'));
      }
    }
  }
}

function packageNameOf(importPath: string): string {
  const parts = importPath.split('/');
  return importPath.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? importPath);
}

/** package-lock.json: the packages whose installed version changed (see lockfile.ts); other lockfiles: Nx's rule. */
export async function touchLockfile(
  changed: ChangedFile[],
  fileChanges: FileChange[],
  graph: ProjectGraph,
  nxJson: NxJsonConfiguration,
  read: Reader,
  touches: Touches,
  notes: string[],
): Promise<void> {
  const lockfile = changed.find((c) => LOCK_FILES.includes(c.file));
  if (!lockfile) return;
  const mode = jsPluginConfig(nxJson).projectsAffectedByDependencyUpdates;
  if (lockfile.file === 'package-lock.json' && mode === 'auto') {
    const headText = read.head(lockfile.file);
    let diff;
    try {
      diff = diffNpmLockfile(read.base(lockfile.file), headText);
    } catch {
      diff = undefined;
    }
    if (diff) {
      const index = indexExternalNodes(graph.externalNodes ?? {});
      const head = lockfilePackages(headText);
      let unmapped = 0;
      for (const change of diff) {
        const found = nodeForChange(change, index, head);
        if (found) touches.addNpm(found.node, `package-lock.json ${found.detail}`, lockfile.file);
        else unmapped++;
      }
      if (unmapped)
        notes.push(
          `${unmapped} package-lock.json change(s) map to no package in the project graph (removed packages, workspace links).`,
        );
      return;
    }
    touches.addEverything({
      kind: 'everything',
      text: 'package-lock.json (not comparable: affects every project)',
      files: [lockfile.file],
      targets: 'all',
    });
    return;
  }
  const touched = await getTouchedProjectsFromLockFile(fileChanges, graph.nodes);
  const all = Object.keys(graph.nodes);
  if (touched.length === all.length) {
    touches.addEverything({
      kind: 'everything',
      text: `${lockfile.file} (projectsAffectedByDependencyUpdates: ${JSON.stringify(mode)}: affects every project)`,
      files: [lockfile.file],
      targets: 'all',
    });
  } else {
    for (const project of touched)
      touches.add(project, {
        kind: 'npm',
        text: `${lockfile.file} (dependencies of ${project} changed)`,
        files: [lockfile.file],
        targets: 'all',
      });
    if (!touched.length) notes.push(`${lockfile.file} changed; Nx's "${String(mode)}" rule touches no project for it.`);
  }
}

/** The root tsconfig: path mappings touch their projects, any other change every project (Nx's tsconfig locator). */
export async function touchRootTsConfig(
  fileChanges: FileChange[],
  graph: ProjectGraph,
  nxJson: NxJsonConfiguration,
  touches: Touches,
): Promise<void> {
  const file = getRootTsConfigFileName();
  const change = file ? fileChanges.find((f) => f.file === file) : undefined;
  if (!file || !change) return;
  const touched = await getTouchedProjectsFromTsConfig([change], graph.nodes, nxJson, undefined, graph);
  if (touched.length === Object.keys(graph.nodes).length) {
    touches.addEverything({
      kind: 'everything',
      text: `${file} (compiler options changed: affects every project)`,
      files: [file],
      targets: 'all',
    });
    return;
  }
  for (const project of new Set(touched)) {
    touches.add(project, {
      kind: 'root-input',
      text: `${file} (path mapping for ${project} changed)`,
      files: [file],
      targets: 'all',
    });
  }
}

/**
 * A deleted project configuration file. Nx (project-glob-changes locator) then marks EVERY project affected, as it
 * cannot know who depended on the removed project. We can: a project that depended on it still refers to it at the
 * head — by package name, by a path into its folder, by a tsconfig alias into it, or in implicitDependencies — so
 * those projects are affected (and their dependents); a renamed or retired service affects nobody else.
 */
export async function touchRemovedProjects(
  root: string,
  changed: ChangedFile[],
  graph: ProjectGraph,
  revisions: Revisions,
  read: Reader,
  touches: Touches,
  notes: string[],
): Promise<{ removed: RemovedProject[]; deletedConfigs: string[] }> {
  const deleted = changed.filter((c) => c.status === 'deleted' && !existsSync(join(root, c.file)));
  if (!deleted.length) return { removed: [], deletedConfigs: [] };
  const patterns = getGlobPatternsOfPlugins(await getPlugins(root)).map((p) => new Minimatch(p, { dot: true }));
  const deletedConfigs = deleted.map((d) => d.file).filter((file) => patterns.some((p) => p.match(file)));
  const roots = new Set(Object.values(graph.nodes).map((n) => n.data.root));
  const workspaces = workspaceGlobs(read.base('package.json'));
  const removedDirs = new Map<string, string>(); // folder → its deleted configuration file (project.json first)
  for (const file of deletedConfigs) {
    const dir = dirname(file) === '.' ? '' : dirname(file);
    if (roots.has(dir || '.')) {
      notes.push(
        `${file} was deleted: \`nx affected\` marks every project affected then; ${dir || 'the root'} is still a ` +
          `project (another configuration file), so only it and its dependents are affected.`,
      );
      continue;
    }
    if (!removedDirs.has(dir) || basename(file) === 'project.json') removedDirs.set(dir, file);
  }
  const removed: RemovedProject[] = [];
  const rootMap = createProjectRootMappings(graph.nodes);
  const changedSet = new Set(changed.map((c) => c.file));
  const tsconfigPaths = readTsConfigPaths(read.head(getRootTsConfigFileName() ?? 'tsconfig.base.json'));
  for (const [dir, configFile] of [...removedDirs].sort()) {
    const projectJson = parseJson(read.base(join(dir, 'project.json')));
    const packageJson = parseJson(read.base(join(dir, 'package.json')));
    if (!projectJson && !(packageJson && (packageJson['nx'] || workspaces.some((w) => w.match(dir))))) {
      notes.push(
        `${configFile} was deleted: \`nx affected\` marks every project affected for any deleted project ` +
          `configuration file, but ${dir || 'the root'} was no project at the base, so nothing else is affected.`,
      );
      continue;
    }
    const name = String(projectJson?.['name'] ?? packageJson?.['name'] ?? basename(dir));
    const tags = Array.isArray(projectJson?.['tags']) ? (projectJson['tags'] as unknown[]) : [];
    removed.push({ name, root: dir, service: tags.includes(SERVICE_TAG), files: 0 });
    const references = [
      `${dir}/`,
      ...(typeof packageJson?.['name'] === 'string' ? [packageJson['name']] : []),
      ...Object.entries(tsconfigPaths)
        .filter(([, targets]) => targets.some((t) => t.replace(/^\.\//, '').startsWith(`${dir}/`)))
        .map(([alias]) => alias.replace(/\*$/, '')),
    ].filter((s) => s.length > 1);
    const referrers = new Map<string, string>();
    for (const node of Object.values(graph.nodes)) {
      if (node.data.implicitDependencies?.includes(name))
        referrers.set(node.name, `${node.data.root}/project.json implicitDependencies`);
    }
    let hits: string[];
    try {
      hits = dir ? filesContaining(root, references, dir, revisions.head.sha === undefined) : [];
    } catch {
      touches.addEverything({
        kind: 'everything',
        text: `${configFile} deleted (project ${name} removed: affects every project)`,
        files: [configFile],
        targets: 'all',
      });
      continue;
    }
    for (const hit of hits) {
      // A file changed in this diff already touches its project (e.g. the renamed project's own package.json).
      if (changedSet.has(hit)) continue;
      const project = findProjectForPath(hit, rootMap);
      if (project && !referrers.has(project)) referrers.set(project, hit);
    }
    for (const [project, where] of referrers) {
      touches.add(project, {
        kind: 'removed-project',
        text: `depends on removed project ${name} (${configFile} deleted; referenced in ${where})`,
        files: [configFile],
        targets: 'all',
      });
    }
    notes.push(
      `${configFile} was deleted: \`nx affected\` marks every project affected then, because it cannot tell who depended ` +
        `on the removed project ${name}. ci:affected looked for references to it (${references.join(', ')}) and found ` +
        `${referrers.size ? [...referrers.keys()].join(', ') : 'none'}.`,
    );
  }
  return { removed, deletedConfigs };
}

/** The root package.json `workspaces` globs (npm/yarn), as matchers for project folders. */
function workspaceGlobs(packageJsonText: string): Minimatch[] {
  const workspaces = parseJson(packageJsonText)?.['workspaces'];
  const globs = Array.isArray(workspaces)
    ? workspaces
    : ((workspaces as { packages?: unknown[] } | undefined)?.packages ?? []);
  return globs.filter((g): g is string => typeof g === 'string').map((g) => new Minimatch(g.replace(/\/$/, '')));
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function readTsConfigPaths(text: string): Record<string, string[]> {
  const json = parseJson(text) as { compilerOptions?: { paths?: Record<string, string[]> } } | undefined;
  return json?.compilerOptions?.paths ?? {};
}
