/**
 * The npm tools a target runs: `vitest run` runs vitest, `esbuild src/main.ts …` runs esbuild, `tsc -p …` runs
 * typescript. No import names them (Nx builds the graph without reading imports: nx.json `analyzeSourceFiles: false`),
 * yet a new esbuild can change the bundle and a new vitest the test run. So when a package changes (root package.json
 * or package-lock.json), every target whose tool depends on it is affected — for that target only: a vitest bump
 * re-runs the tests, an esbuild bump makes a new artifact.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ProjectGraph } from 'nx/src/config/project-graph.js';
import { checkTargets } from './inputs';
import type { NpmCause, Touches } from './reasons';

/** Runners that start another command: the tool is the word after them (`npx vitest run`). */
const LAUNCHERS = new Set(['npx', 'exec', 'env']);

/** The executable a shell command starts (`npx eslint .` → eslint); null for `node …` and anything not a plain word. */
export function commandExecutable(command: string): string | null {
  const words = command.trim().split(/\s+/);
  let word = words.shift();
  while (word && (LAUNCHERS.has(word) || /^\w+=/.test(word))) word = words.shift();
  if (!word || word === 'node' || !/^[\w@][\w.@/-]*$/.test(word)) return null;
  return word;
}

/** The npm package that installs `node_modules/.bin/<executable>`, or null when none does. */
export function packageOfExecutable(root: string, executable: string): string | null {
  let folder: string;
  try {
    folder = dirname(realpathSync(join(root, 'node_modules', '.bin', executable)));
  } catch {
    return null;
  }
  for (; folder.includes('node_modules'); folder = dirname(folder)) {
    try {
      const name = (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { name?: string }).name;
      if (name) return name;
    } catch {
      // no package.json at this level: keep walking up
    }
  }
  return null;
}

/** Shortest path from `from` to each npm node it depends on, through the graph's npm edges. */
function npmClosure(graph: ProjectGraph, from: string): Map<string, string[]> {
  const paths = new Map<string, string[]>([[from, []]]);
  const queue = [from];
  for (const node of queue) {
    for (const { target } of graph.dependencies[node] ?? []) {
      if (paths.has(target) || !target.startsWith('npm:')) continue;
      paths.set(target, [...(paths.get(node) ?? []), node]);
      queue.push(target);
    }
  }
  return paths;
}

/**
 * Records every project whose targets run a tool that depends on a changed npm package, for those targets only:
 * `npm:esbuild (package-lock.json 0.27.7 → 0.27.8), run by build (esbuild), test (vitest via npm:vite)`.
 */
export function touchTargetTools(root: string, graph: ProjectGraph, touches: Touches): void {
  const changed = touches.npmCauses();
  if (!changed.size) return;
  const toolOf = new Map<string, string | null>();
  const closures = new Map<string, Map<string, string[]>>();
  for (const node of Object.values(graph.nodes)) {
    const runs = new Map<string, { cause: NpmCause; targets: string[]; how: string[] }>(); // per changed npm node
    for (const target of checkTargets(node)) {
      const command = (node.data.targets?.[target]?.options as { command?: unknown } | undefined)?.command;
      const executable = typeof command === 'string' ? commandExecutable(command) : null;
      if (!executable) continue;
      if (!toolOf.has(executable)) toolOf.set(executable, packageOfExecutable(root, executable));
      const tool = toolOf.get(executable);
      const toolNode = tool ? graph.externalNodes?.[`npm:${tool}`]?.name : undefined;
      if (!toolNode) continue;
      let closure = closures.get(toolNode);
      if (!closure) closures.set(toolNode, (closure = npmClosure(graph, toolNode)));
      for (const [npmNode, cause] of changed) {
        const path = closure.get(npmNode);
        if (!path) continue;
        const via = path.length > 1 ? ` via ${path.slice(1).join(' → ')}` : '';
        const run = runs.get(npmNode) ?? { cause, targets: [], how: [] };
        run.targets.push(target);
        run.how.push(`${target} (${executable}${via})`);
        runs.set(npmNode, run);
      }
    }
    for (const [npmNode, run] of runs) {
      touches.add(node.name, {
        kind: 'npm',
        text: `${npmNode} (${run.cause.details.join('; ')}), run by ${run.how.join(', ')}`,
        files: [...run.cause.files],
        targets: run.targets,
      });
    }
  }
}
