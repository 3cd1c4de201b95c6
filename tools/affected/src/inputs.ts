/**
 * Target inputs, read the way Nx reads them, to say WHICH targets of an affected project a change reaches.
 *
 * `nx affected` is project-level: any file under a project's root makes the project affected, whatever its inputs
 * say. The inputs (nx.json namedInputs/targetDefaults) decide what each target's cache hash covers. So a test-only
 * change affects the service (its tests must run) but leaves the `build` inputs, and therefore the artifact, unchanged.
 */
import { Minimatch } from 'minimatch';
import type { NxJsonConfiguration } from 'nx/src/config/nx-json.js';
import type { ProjectGraphProjectNode } from 'nx/src/config/project-graph.js';
import type { InputDefinition } from 'nx/src/config/workspace-json-project-json.js';
import { filterUsingGlobPatterns, getTargetInputs } from 'nx/src/hasher/task-hasher.js';

const WORKSPACE = '{workspaceRoot}/';

/** Targets a person or CI runs for a change; continuous ones (serve) are left out. */
export function checkTargets(node: ProjectGraphProjectNode): string[] {
  return Object.entries(node.data.targets ?? {})
    .filter(([, target]) => !target.continuous)
    .map(([name]) => name)
    .sort();
}

export class TargetInputs {
  private readonly cache = new Map<string, { own: string[]; hasDependencyInputs: boolean }>();

  constructor(private readonly nxJson: NxJsonConfiguration) {}

  private inputsOf(node: ProjectGraphProjectNode, target: string) {
    const key = `${node.name}\0${target}`;
    let entry = this.cache.get(key);
    if (!entry) {
      try {
        const { selfInputs, dependencyInputs } = getTargetInputs(this.nxJson, node, target);
        const targetInputs = node.data.targets?.[target]?.inputs;
        entry = {
          own: selfInputs.filter((p) => p.startsWith('{projectRoot}') || p.startsWith('!{projectRoot}')),
          // No inputs at all means Nx's defaults: ["default", "^default"].
          hasDependencyInputs:
            dependencyInputs.length > 0 ||
            !targetInputs ||
            targetInputs.some((i) => typeof i === 'string' && i.startsWith('^')),
        };
      } catch {
        entry = { own: ['{projectRoot}/**/*'], hasDependencyInputs: true };
      }
      this.cache.set(key, entry);
    }
    return entry;
  }

  /** The targets whose own inputs include this file of the project (the same filter Nx's hasher applies). */
  targetsForProjectFile(node: ProjectGraphProjectNode, file: string): string[] {
    return checkTargets(node).filter((target) => {
      const { own } = this.inputsOf(node, target);
      if (!own.some((p) => !p.startsWith('!'))) return false;
      return filterUsingGlobPatterns(node.data.root, [{ file, hash: '' }], own).length > 0;
    });
  }

  /** The targets that hash their dependencies' inputs (`^production`, or no inputs = Nx's default `^default`). */
  targetsReadingDependencies(node: ProjectGraphProjectNode): string[] {
    return checkTargets(node).filter((target) => this.inputsOf(node, target).hasDependencyInputs);
  }
}

/** `{workspaceRoot}/…` patterns reachable from a list of inputs through named inputs (as Nx's implicit locator does). */
export function workspaceFilePatterns(
  inputs: readonly (InputDefinition | string)[],
  namedInputs: Record<string, readonly (InputDefinition | string)[]>,
  seen = new Set<string>(),
): string[] {
  const patterns: string[] = [];
  for (const input of inputs) {
    if (typeof input === 'string') {
      if (input in namedInputs) {
        if (seen.has(input)) continue;
        seen.add(input);
        patterns.push(...workspaceFilePatterns(namedInputs[input] ?? [], namedInputs, seen));
      } else if (input.startsWith(WORKSPACE)) {
        patterns.push(input.slice(WORKSPACE.length));
      }
    } else if ('fileset' in input && typeof input.fileset === 'string' && input.fileset.startsWith(WORKSPACE)) {
      patterns.push(input.fileset.slice(WORKSPACE.length));
    }
  }
  return patterns;
}

export interface RootInputRule {
  pattern: string;
  matcher: Minimatch;
  /** project → the targets that list the pattern among their inputs */
  projects: Map<string, Set<string>>;
}

/**
 * Workspace-root files that are inputs of project targets: the same map Nx's getImplicitlyTouchedProjects builds
 * (nx/src/project-graph/affected/locators/workspace-projects.js), keeping the target names so reasons can say which.
 */
export function rootInputRules(
  nodes: Record<string, ProjectGraphProjectNode>,
  nxJson: NxJsonConfiguration,
): RootInputRule[] {
  const rules = new Map<string, RootInputRule>();
  for (const node of Object.values(nodes)) {
    const namedInputs = { ...nxJson.namedInputs, ...node.data.namedInputs } as Record<
      string,
      (InputDefinition | string)[]
    >;
    for (const [target, config] of Object.entries(node.data.targets ?? {})) {
      if (!config.inputs) continue;
      for (const pattern of workspaceFilePatterns(config.inputs, namedInputs)) {
        let rule = rules.get(pattern);
        if (!rule) {
          rule = { pattern, matcher: new Minimatch(pattern, { dot: true }), projects: new Map() };
          rules.set(pattern, rule);
        }
        let targets = rule.projects.get(node.name);
        if (!targets) rule.projects.set(node.name, (targets = new Set()));
        targets.add(target);
      }
    }
  }
  return [...rules.values()];
}

/**
 * Deploy configuration: the workspace files the `deploy` step reads beyond what `build` reads (nx.json
 * targetDefaults.deploy inputs minus targetDefaults.build inputs, i.e. namedInput `deployConfig` =
 * platform/environments/*.json). They are applied at deploy time, so a change redeploys every service with the
 * artifact it already has — even before services declare a `deploy` target of their own.
 */
export function deployConfigMatchers(nxJson: NxJsonConfiguration): Minimatch[] {
  const namedInputs = (nxJson.namedInputs ?? {}) as Record<string, (InputDefinition | string)[]>;
  const patterns = (target: string) =>
    workspaceFilePatterns(nxJson.targetDefaults?.[target]?.inputs ?? [], namedInputs);
  const build = new Set(patterns('build'));
  return patterns('deploy')
    .filter((p) => !build.has(p))
    .map((p) => new Minimatch(p, { dot: true }));
}
