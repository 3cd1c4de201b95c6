import { git } from '../git';

/**
 * Which of the platform's files a team workspace starts with. In core, not in tools/workspace: the workspace creator
 * copies them, and `npm run platform-upgrade` (generators/src/platform-upgrade), which runs inside a team workspace
 * where tools/workspace is left out, merges a newer release of the same files.
 * It gets what builds, checks, owns and ships services —
 * the generators plugin, the templates, the tools, the pipelines, the environments, the root configuration — and none
 * of what is the platform's own: its services, its end-to-end tests and benchmarks, and the specs of the copied code.
 */
const COPIED: readonly RegExp[] = [
  /^generators\//,
  /^templates\//,
  /^tools\//,
  /^\.github\//,
  /^\.ci\//,
  /^deploy\//, // its README and .gitignore: the deploy stage renders deploy/<env>/<service>/ there
  /^platform\/environments\//,
  /^platform\/teams\.schema\.json$/,
  /^(\.env|\.gitignore|\.prettierrc|\.prettierignore|eslint\.config\.mjs|nx\.json|tsconfig\.base\.json)$/,
  /^plopfile\.[^/]+$/, // the micro-generators (`npx plop endpoint|event`), when the platform has them
];

/** Left out even inside a copied folder, and why. */
export const LEFT_OUT: readonly { pattern: RegExp; why: string }[] = [
  {
    pattern: /^(generators|tools)\/(.*\.spec\.ts|(.*\/)?testing(\/.*|\.ts)|(.*\/)?vitest\.config\.mts)$/,
    why: 'the specs, test helpers and vitest config of the copied generators and tools: they test the platform against its own services and teams, and run in the platform’s CI before a release',
  },
  {
    pattern: /^templates\/workspace\//,
    why: 'the template of the workspace itself: only the platform creates workspaces',
  },
  { pattern: /^tools\/workspace\//, why: 'the workspace creator: only the platform creates workspaces' },
];

/**
 * Written for the workspace rather than copied: package.json and package-lock.json (the platform's, renamed),
 * README.md and platform/codeowners.extra (templates/workspace), platform/teams.json and CODEOWNERS (the team and
 * codeowners generators), platform.json (where the copy came from).
 */
export const DERIVED = ['package.json', 'package-lock.json'] as const;

export function isCopied(path: string): boolean {
  return COPIED.some((pattern) => pattern.test(path)) && !LEFT_OUT.some(({ pattern }) => pattern.test(path));
}

/**
 * The platform's files as git would commit them (tracked plus untracked, not ignored), sorted: never node_modules,
 * build output or caches. A file deleted but not yet staged is skipped by the reader.
 */
export function listPlatformFiles(platformRoot: string): string[] {
  return git(platformRoot, ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    .split('\0')
    .filter(Boolean)
    .sort();
}
