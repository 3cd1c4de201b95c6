/**
 * Affected services, with reasons, from Nx's own project graph and touched-project logic — one Nx, in this process.
 *
 * Nx's `filterAffected` answers "which projects"; it cannot say why. So we run the same locators Nx runs
 * (locators.ts), attributing each touched project to the change that touched it, walk the graph for dependency paths
 * (reasons.ts), and cross-check the result against `filterAffected` itself.
 * Where we deliberately differ from `nx affected`, a note says so:
 * - package-lock.json: Nx with `projectsAffectedByDependencyUpdates: "auto"` ignores npm lockfiles; we diff it.
 * - deploy configuration (targetDefaults.deploy inputs): services are affected for deploy only.
 * - the npm tools a target runs (`vitest run`, `esbuild …`): no graph edge names them; target-tools.ts reads commands.
 * - a deleted project configuration: Nx marks every project; we look for who still references the removed project.
 * - a service contract (services/<name>/contract/*.json): its consumers (consumes.json) too, for their contract check.
 */
import { readNxJson } from 'nx/src/config/configuration.js';
import type { ProjectGraphProjectNode } from 'nx/src/config/project-graph.js';
import { filterAffected } from 'nx/src/project-graph/affected/affected-project-graph.js';
import { readPackageJson } from 'nx/src/project-graph/file-utils.js';
import { createProjectGraphAsync } from 'nx/src/project-graph/project-graph.js';
import { getIgnoreObject } from 'nx/src/utils/ignore.js';
import { workspaceRoot } from 'nx/src/utils/workspace-root.js';
import { UsageError } from '@musiccorp/core/cli';
import { changedFiles, readAt, resolveRevisions, workingTreeStatus, type ChangedFile, type Revisions } from './git';
import { TargetInputs, checkTargets } from './inputs';
import {
  isService,
  toFileChange,
  touchDeployConfig,
  touchLockfile,
  touchProjectFiles,
  touchRemovedProjects,
  touchRootInputs,
  touchRootPackageJson,
  touchRootTsConfig,
  type RemovedProject,
} from './locators';
import { touchContractConsumers } from './contracts';
import { Touches, assemble, targetsUnion, type Reason } from './reasons';
import { touchTargetTools } from './target-tools';

export interface AffectedService {
  name: string;
  root: string;
  team: string | null;
  reasons: Reason[];
  /** Targets whose inputs the change reaches (continuous ones left out), plus `deploy` when it must be redeployed. */
  targets: string[];
  /** The build target's inputs changed: a new artifact. False: only checks (test, lint, typecheck) or deploy. */
  rebuild: boolean;
  redeploy: boolean;
}

export interface AffectedResult {
  revisions: Revisions;
  changedFiles: ChangedFile[];
  totalServices: number;
  services: AffectedService[];
  /** Affected projects that are not services (platform projects), with their reasons. */
  otherProjects: { name: string; reason: string }[];
  /** Changed files that affect no service, and the projects (if any) they touch directly ('every project'). */
  noServiceFiles: { file: string; projects: string[] }[];
  /** Projects (and whether they were services) whose configuration was deleted: not in the head any more. */
  removedProjects: RemovedProject[];
  notes: string[];
  warnings: string[];
}

export interface AffectedOptions {
  base?: string;
  head?: string;
}

type Node = ProjectGraphProjectNode;
const teamOf = (node: Node) => node.data.tags?.find((t) => t.startsWith('team:'))?.slice('team:'.length) ?? null;

/** A phase timing, printed with NX_PERF_LOGGING=true like Nx's own. */
async function phase<T>(name: string, run: () => T | Promise<T>): Promise<T> {
  performance.mark(`${name}:start`);
  try {
    return await run();
  } finally {
    performance.measure(`ci:affected ${name}`, `${name}:start`);
  }
}

export async function computeAffected(options: AffectedOptions): Promise<AffectedResult> {
  const root = workspaceRoot;
  const nxJson = readNxJson(root);
  const base = options.base ?? nxJson.defaultBase ?? nxJson.affected?.defaultBase;
  if (!base)
    throw new UsageError(
      'No base to compare with: pass --base=<ref> (e.g. --base=origin/main) or set defaultBase in nx.json.',
    );
  const revisions = resolveRevisions(root, base, options.head);
  const warnings: string[] = [];
  const notes: string[] = [];
  const tree = workingTreeStatus(root, revisions.prefix);
  const pending = tree.uncommitted;
  if (pending.length && options.head !== undefined) {
    warnings.push(
      `${pending.length} uncommitted file(s) left out because --head is set (${preview(pending)}); the project graph still ` +
        `reads them from disk. Commit or stash them, or omit --head to include them.`,
    );
  } else if (pending.length) {
    notes.push(
      `Includes ${pending.length} uncommitted or untracked file(s) (${preview(pending)}); pass --head=HEAD to compare commits only.`,
    );
  }

  const ignore = getIgnoreObject(root);
  const changed = await phase('git diff', () =>
    changedFiles(root, revisions, tree).filter((f) => !ignore.ignores(f.file)),
  );
  const graph = await phase('project graph', () => createProjectGraphAsync({ exitOnError: false }));
  const fileChanges = changed.map((c) => toFileChange(root, revisions, c));
  const touches = new Touches();
  const nodes = graph.nodes;
  const inputs = new TargetInputs(nxJson);
  const read = {
    base: (f: string) => readAt(root, revisions.mergeBase, f),
    head: (f: string) => readAt(root, revisions.head.sha, f),
  };

  performance.mark('locators:start');
  touchProjectFiles(changed, nodes, inputs, touches);
  touchRootInputs(changed, nodes, nxJson, touches);
  touchDeployConfig(changed, nodes, nxJson, touches);
  await touchContractConsumers(root, changed, nodes, read, touches, warnings);
  await touchRootPackageJson(fileChanges, graph, nxJson, touches, notes);
  await touchLockfile(changed, fileChanges, graph, nxJson, read, touches, notes);
  touchTargetTools(root, graph, touches);
  await touchRootTsConfig(fileChanges, graph, nxJson, touches);
  const { removed: removedProjects, deletedConfigs } = await touchRemovedProjects(
    root,
    changed,
    graph,
    revisions,
    read,
    touches,
    notes,
  );

  performance.measure('ci:affected locators', 'locators:start');
  const dependencyTargets = (project: string) => {
    const node = nodes[project];
    return node ? inputs.targetsReadingDependencies(node) : 'all';
  };
  const byProject = await phase('assemble', () => assemble(graph, touches, dependencyTargets));

  // Cross-check with Nx's own answer: never report fewer services than `nx affected` without saying why.
  const nxGraph = await phase('nx filterAffected', () =>
    filterAffected(graph, fileChanges, nxJson, readPackageJson(root)),
  );
  const nxAffected = new Set(Object.keys(nxGraph.nodes));
  for (const name of nxAffected) {
    if (!nodes[name] || byProject.has(name)) continue;
    if (deletedConfigs.length) continue; // Nx marks every project then; explained by the removed-project note
    byProject.set(name, [
      { kind: 'nx', text: 'affected according to nx affected (no finer reason found)', files: [], targets: 'all' },
    ]);
  }
  const onlyOurs = [...byProject.keys()].filter((n) => isService(nodes[n]) && !nxAffected.has(n)).sort();
  if (onlyOurs.length) {
    notes.push(
      `\`nx affected\` would not list ${onlyOurs.join(', ')}: package-lock.json entries, deploy configuration and ` +
        `the consumers of a changed contract are ci:affected rules on top of Nx (see their reasons).`,
    );
  }

  const services: AffectedService[] = [];
  const otherProjects: AffectedResult['otherProjects'] = [];
  const filesReachingServices = new Set<string>();
  for (const [name, reasons] of [...byProject].sort(([a], [b]) => a.localeCompare(b))) {
    const node = nodes[name];
    if (!node) continue;
    if (!isService(node)) {
      otherProjects.push({ name, reason: reasons.map((r) => r.text).join('; ') });
      continue;
    }
    reasons.forEach((r) => r.files.forEach((f) => filesReachingServices.add(f)));
    const reached = targetsUnion(reasons, [...checkTargets(node), 'deploy']);
    const rebuild = reached.includes('build');
    const redeploy = rebuild || reached.includes('deploy');
    const targets = reached.filter((t) => t !== 'deploy').concat(redeploy ? ['deploy'] : []);
    services.push({
      name,
      root: node.data.root,
      team: teamOf(node),
      reasons: orderReasons(reasons),
      targets,
      rebuild,
      redeploy,
    });
  }

  const direct = new Map<string, Set<string>>();
  for (const [node, causes] of touches.direct) {
    for (const file of causes.flatMap((c) => c.files)) direct.set(file, (direct.get(file) ?? new Set()).add(node));
  }
  const inRemoved = (file: string) => removedProjects.some((p) => file.startsWith(`${p.root}/`));
  const noServiceFiles = changed
    .filter((c) => !filesReachingServices.has(c.file) && !inRemoved(c.file))
    .map((c) => ({
      file: c.file,
      projects: touches.everything.some((e) => e.files.includes(c.file))
        ? ['every project']
        : [...(direct.get(c.file) ?? [])].filter((p) => nodes[p]).sort(),
    }));
  for (const removed of removedProjects)
    removed.files = changed.filter((c) => c.file.startsWith(`${removed.root}/`)).length;

  return {
    revisions,
    changedFiles: changed,
    totalServices: Object.values(nodes).filter(isService).length,
    services,
    otherProjects,
    noServiceFiles,
    removedProjects,
    notes,
    warnings,
  };
}

function preview(files: string[]): string {
  return files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')}, …`;
}

function orderReasons(reasons: Reason[]): Reason[] {
  const rank = (r: Reason) => (r.kind === 'file' || r.kind === 'new-project' ? 0 : 1);
  return [...reasons].sort((a, b) => rank(a) - rank(b) || (rank(a) === 0 ? a.text.localeCompare(b.text) : 0));
}
