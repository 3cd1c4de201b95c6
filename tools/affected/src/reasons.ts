/**
 * Reasons: what touched which node of the project graph, and how that reaches each project.
 *
 * Locators (affected.ts) record causes on the nodes they touch: a project (its own files, a root input of one of its
 * targets, …), an npm package (`npm:fastify`: a package.json or lockfile change), or every project at once (nx.json).
 * `assemble` then walks the graph once: a project is affected by its own causes, the causes that touch everything, and
 * the causes on anything it depends on, reported with the dependency path.
 */

export type ReasonKind =
  | 'file' // a file under the project's root
  | 'new-project' // the project did not exist at the base
  | 'root-input' // a workspace-root file listed in one of the project's target inputs
  | 'everything' // a change Nx applies to every project (nx.json, tsconfig.base.json compiler options, …)
  | 'npm' // an npm package the project depends on changed (root package.json / package-lock.json)
  | 'dependency' // a project it depends on is affected
  | 'deploy-config' // deploy-time configuration (platform/environments/*.json): redeploy, no rebuild
  | 'removed-project' // it references a project that no longer exists
  | 'contract' // it consumes (consumes.json) a service contract that changed: its contract check
  | 'nx'; // Nx says affected and no finer reason was found (a safety net; should not happen)

/** Targets the change reaches: names, or every target. `deploy` is the (virtual) deploy step. */
export type Targets = 'all' | readonly string[];

export interface Cause {
  kind: ReasonKind;
  text: string;
  /** The changed files behind the cause (to list the changes that affected no service). */
  files: readonly string[];
  targets: Targets;
}

export interface Reason extends Cause {
  /** For dependency reasons: the nodes between the project and the touched node, e.g. ['npm:fastify']. */
  via?: readonly string[];
}

export interface GraphLike {
  nodes: Record<string, { name: string }>;
  externalNodes?: Record<string, { name: string }>;
  dependencies: Record<string, readonly { target: string }[]>;
}

interface NpmTouch {
  details: string[];
  files: Set<string>;
}

/** What changed about one npm package (package.json / lockfile details) and in which files. */
export type NpmCause = Readonly<{ details: readonly string[]; files: ReadonlySet<string> }>;

export class Touches {
  readonly direct = new Map<string, Cause[]>();
  readonly everything: Cause[] = [];
  private readonly npm = new Map<string, NpmTouch>();

  add(node: string, cause: Cause): void {
    const causes = this.direct.get(node);
    if (causes) causes.push(cause);
    else this.direct.set(node, [cause]);
  }

  addEverything(cause: Cause): void {
    this.everything.push(cause);
  }

  /** An npm package changed; details from package.json and the lockfile are merged into one cause per package. */
  addNpm(node: string, detail: string, file: string): void {
    let touch = this.npm.get(node);
    if (!touch) this.npm.set(node, (touch = { details: [], files: new Set() }));
    if (!touch.details.includes(detail)) touch.details.push(detail);
    touch.files.add(file);
  }

  /** The npm packages that changed, with what changed (package.json / lockfile details) and in which files. */
  npmCauses(): ReadonlyMap<string, NpmCause> {
    return this.npm;
  }

  /** Causes per touched node, npm ones included. */
  causes(): Map<string, Cause[]> {
    const all = new Map(this.direct);
    for (const [node, touch] of this.npm) {
      const cause: Cause = {
        kind: 'npm',
        text: `dependency ${node} (${touch.details.join('; ')})`,
        files: [...touch.files],
        targets: 'all',
      };
      all.set(node, [...(all.get(node) ?? []), cause]);
    }
    return all;
  }
}

const MAX_FILES_IN_DEPENDENCY_REASON = 3;

/** One reason per touched dependency: `dependency money (libs/money/src/a.ts, …) via lib-b` or the npm cause itself. */
export function dependencyReason(
  touched: string,
  causes: readonly Cause[],
  via: readonly string[],
  targets: Targets,
): Reason {
  const viaText = via.length ? ` via ${via.join(' → ')}` : '';
  const files = causes.flatMap((c) => c.files);
  const [only] = causes;
  if (only && causes.length === 1 && only.kind === 'npm')
    return { ...only, text: `${only.text}${viaText}`, via, targets };
  const texts = causes.map((c) => c.text);
  const shown = texts.slice(0, MAX_FILES_IN_DEPENDENCY_REASON).join(', ');
  const more =
    texts.length > MAX_FILES_IN_DEPENDENCY_REASON ? ` +${texts.length - MAX_FILES_IN_DEPENDENCY_REASON} more` : '';
  return { kind: 'dependency', text: `dependency ${touched} (${shown}${more})${viaText}`, files, via, targets };
}

/**
 * Every affected project with its reasons. `dependencyTargets(project)` says which of its targets read their
 * dependencies' inputs (for reasons that reach it through a project dependency).
 */
export function assemble(
  graph: GraphLike,
  touches: Touches,
  dependencyTargets: (project: string) => Targets,
): Map<string, Reason[]> {
  const causes = touches.causes();
  const reverse = new Map<string, string[]>();
  for (const [source, deps] of Object.entries(graph.dependencies)) {
    for (const { target } of deps) {
      const sources = reverse.get(target);
      if (sources) sources.push(source);
      else reverse.set(target, [source]);
    }
  }
  // Everything that can reach a touched node: one multi-source walk up the reversed graph.
  const reaches = new Set<string>();
  const queue = [...causes.keys()];
  for (const node of queue) reaches.add(node);
  for (const node of queue) {
    for (const source of reverse.get(node) ?? []) {
      if (!reaches.has(source)) {
        reaches.add(source);
        queue.push(source);
      }
    }
  }

  const result = new Map<string, Reason[]>();
  for (const project of Object.keys(graph.nodes)) {
    const reasons: Reason[] = [...(causes.get(project) ?? [])];
    if (reaches.has(project)) reasons.push(...dependencyReasons(project, graph, causes, reaches, dependencyTargets));
    reasons.push(...touches.everything.filter((e) => !reasons.some((r) => r.text === e.text)));
    if (reasons.length) result.set(project, dedupe(reasons));
  }
  return result;
}

/** Breadth-first from the project through its dependencies (only nodes that reach a touched one): shortest paths. */
function dependencyReasons(
  project: string,
  graph: GraphLike,
  causes: Map<string, Cause[]>,
  reaches: Set<string>,
  dependencyTargets: (project: string) => Targets,
): Reason[] {
  const parent = new Map<string, string>([[project, '']]);
  const queue = [project];
  const reasons: Reason[] = [];
  for (const node of queue) {
    for (const { target } of graph.dependencies[node] ?? []) {
      if (parent.has(target) || !reaches.has(target)) continue;
      parent.set(target, node);
      queue.push(target);
      const touched = causes.get(target);
      if (!touched) continue;
      const via: string[] = [];
      for (let step = node; step !== project; step = parent.get(step) ?? project) via.unshift(step);
      const isNpm = target.startsWith('npm:') || via.some((v) => v.startsWith('npm:'));
      reasons.push(dependencyReason(target, touched, via, isNpm ? 'all' : dependencyTargets(project)));
    }
  }
  return reasons;
}

/**
 * One reason per text. A root-input reason is dropped when the same file already explains the project more
 * specifically (tsconfig.base.json "affects every project", a deploy config), and a dependency reason when the
 * project is directly affected by the same files anyway (a root file that touched it and its dependency alike).
 */
function dedupe(reasons: Reason[]): Reason[] {
  const seen = new Set<string>();
  const specific = new Set(
    reasons.filter((r) => r.kind === 'everything' || r.kind === 'deploy-config').flatMap((r) => r.files),
  );
  const direct = new Set(reasons.filter((r) => !r.via).flatMap((r) => r.files));
  return reasons.filter((r) => {
    if (seen.has(r.text)) return false;
    seen.add(r.text);
    if (r.via && r.files.length && r.files.every((f) => direct.has(f))) return false;
    return !(r.kind === 'root-input' && r.files.every((f) => specific.has(f)));
  });
}

export function targetsUnion(reasons: readonly Reason[], allTargets: readonly string[]): string[] {
  const targets = new Set<string>();
  for (const reason of reasons) {
    for (const target of reason.targets === 'all' ? allTargets : reason.targets) targets.add(target);
  }
  return [...targets].sort();
}
