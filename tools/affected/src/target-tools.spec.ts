import { describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '@musiccorp/core/scratch-workspace';
import { commandExecutable, packageOfExecutable } from './target-tools';

describe('the npm tool a target runs', () => {
  it.each([
    ['vitest run', 'vitest'],
    ['esbuild src/main.ts --bundle --outfile=dist/main.js', 'esbuild'],
    ['tsc -p tsconfig.json --noEmit', 'tsc'],
    ['npx eslint .', 'eslint'],
    ['NODE_OPTIONS=--max-old-space-size=4096 npx vitest run', 'vitest'],
    ['  tsx watch src/main.ts', 'tsx'],
    ['node --import tsx tools/pipeline/src/stage-cli.ts artifact catalog', null],
    ['./scripts/build.sh', null],
    ['', null],
  ])('%j starts %j', (command, executable) => {
    expect(commandExecutable(command)).toBe(executable);
  });

  it.each([
    ['vitest', 'vitest'],
    ['tsc', 'typescript'],
    ['esbuild', 'esbuild'],
    ['eslint', 'eslint'],
    ['no-such-tool', null],
  ])('node_modules/.bin/%s belongs to %j', (executable, name) => {
    expect(packageOfExecutable(WORKSPACE_ROOT, executable)).toBe(name);
  });
});
