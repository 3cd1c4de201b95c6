import nx from '@nx/eslint-plugin';
import { declaredDependencies } from './tools/dev/src/lint/declared-dependencies.mjs';
import { noConflictMarkers, plainText } from './tools/dev/src/lint/conflict-markers.mjs';

// The platform's own lint rules, one plugin object: ESLint refuses two different objects under one plugin name.
const musiccorp = {
  rules: { 'declared-dependencies': declaredDependencies, 'no-conflict-markers': noConflictMarkers },
};

// A service's files that are not code, linted as plain text for conflict markers only (see conflict-markers.mjs).
const SERVICE_TEXT_FILES = [
  'services/**/*.md',
  'services/**/*.json',
  'services/**/*.{yml,yaml,txt}',
  'services/**/Dockerfile',
  'services/**/.dockerignore',
];

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
    plugins: { musiccorp },
    rules: { 'musiccorp/declared-dependencies': ['error', { allow: ['vitest'] }] },
  },
  {
    files: SERVICE_TEXT_FILES,
    languageOptions: { parser: plainText },
  },
  {
    // `nx g upgrade` leaves a conflict it cannot merge in the file, with git's markers: the service's lint (and so its
    // artifact, which depends on lint) fails until the team resolves it.
    files: ['services/**/*.ts', 'services/**/*.mts', ...SERVICE_TEXT_FILES],
    plugins: { musiccorp },
    rules: { 'musiccorp/no-conflict-markers': 'error' },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
