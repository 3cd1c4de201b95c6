/**
 * The owners engine of `npm run owners` (tools/src/owners), reused here so the generators parse CODEOWNERS and
 * validate the teams registry with exactly the same rules instead of a second implementation.
 *
 * Why relative paths: plugin.js bundles the generators with esbuild and `packages: 'external'`, so a package path
 * (`@musiccorp/tools/...`) would stay a runtime `require` of a `.ts` file, while a relative path is bundled. These
 * modules do no I/O when imported (teams.ts resolves its own schema path only under tsx; the generators pass the
 * workspace's schema to `registryProblems`). plugin.spec.ts bundles the plugin as plugin.js does and loads it.
 */
/* eslint-disable @nx/enforce-module-boundaries -- bundled by esbuild from source; see above */
export { parseCodeowners, CODEOWNERS_LOCATIONS } from '../../../tools/src/owners/codeowners-file';
export { OwnersMatcher } from '../../../tools/src/owners/matcher';
export { buildRegistry, describePath, ORG, ownerProblem, registryProblems } from '../../../tools/src/owners/teams';
export type { RootSchema, SchemaProblem } from '../../../tools/src/lib/json-schema';
