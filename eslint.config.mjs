import nx from '@nx/eslint-plugin';
import { declaredDependencies } from './tools/dev/src/lint/declared-dependencies.mjs';

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', 'tmp/**', 'bench/results/**', '**/*.hbs', '.nx/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    rules: {
      // Services talk over the network, never through each other's code (information hiding).
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:service', notDependOnLibsWithTags: ['type:service'] },
            // The platform's core is what every other platform project builds on, so it depends on none of them.
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core'] },
            { sourceTag: '*', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Nx takes a service's npm dependencies from its package.json (analyzeSourceFiles: false), so imports must match
    // it. vitest is the platform's test runner, an `externalDependencies` input of every test target (nx.json).
    files: ['services/**/*.ts', 'services/**/*.mts'],
    plugins: { musiccorp: { rules: { 'declared-dependencies': declaredDependencies } } },
    rules: { 'musiccorp/declared-dependencies': ['error', { allow: ['vitest'] }] },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
