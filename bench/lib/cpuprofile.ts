import { readFile } from 'node:fs/promises';

/** The parts of a V8 .cpuprofile (node --cpu-prof) used here. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  name: string;
  /** Module the code belongs to: a node_modules package, a source file, or node internals. */
  module: string;
  selfMs: number;
  selfPercent: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Self time per function, largest first. */
  functions: Hotspot[];
  /** Self time per module, largest first. */
  modules: { module: string; selfMs: number; selfPercent: number }[];
}

/**
 * Self time per function and per module. Code in an esbuild bundle is attributed to its original module through the
 * `// <path>` comments esbuild writes before each bundled module (bundles built without --minify keep them).
 */
export async function summarizeProfile(
  file: string,
  bundle?: { url: string; source: string },
): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

  const bundleModules = bundle ? moduleBoundaries(bundle.source) : [];
  const moduleOf = (url: string, line: number, functionName: string): string => {
    if (!url)
      return /^\((idle|program|garbage collector)\)$/.test(functionName)
        ? functionName
        : '(native code: syscalls, V8 builtins)';
    if (url.startsWith('node:')) return 'node internals';
    if (bundle && url.endsWith(bundle.url)) {
      let current = '(bundle prelude)';
      for (const boundary of bundleModules) {
        if (boundary.line > line) break;
        current = boundary.module;
      }
      return current;
    }
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    return pkg ?? url.replace(/^file:\/\//, '');
  };

  const functions = new Map<string, Hotspot>();
  const modules = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const module = moduleOf(url, lineNumber, functionName);
    const name = `${functionName || '(anonymous)'}${url ? `:${lineNumber + 1}` : ''}`;
    const key = `${module}|${name}`;
    const entry = functions.get(key) ?? { name, module, selfMs: 0, selfPercent: 0 };
    entry.selfMs += us / 1000;
    functions.set(key, entry);
    modules.set(module, (modules.get(module) ?? 0) + us / 1000);
  }
  const totalMs = totalUs / 1000;
  const pct = (ms: number) => (totalMs ? (ms / totalMs) * 100 : 0);
  return {
    totalMs,
    functions: [...functions.values()]
      .map((f) => ({ ...f, selfPercent: pct(f.selfMs) }))
      .sort((a, b) => b.selfMs - a.selfMs),
    modules: [...modules.entries()]
      .map(([module, selfMs]) => ({ module, selfMs, selfPercent: pct(selfMs) }))
      .sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** esbuild marks each bundled module with a line comment holding its path, e.g. `// ../../node_modules/pino/pino.js`. */
function moduleBoundaries(source: string): { line: number; module: string }[] {
  const boundaries: { line: number; module: string }[] = [];
  source.split('\n').forEach((text, line) => {
    const path = /^\s*\/\/ (\S+\.(?:[cm]?js|[cm]?ts|json))$/.exec(text)?.[1];
    if (path === undefined) return;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
    boundaries.push({ line, module: pkg ?? path });
  });
  return boundaries;
}
