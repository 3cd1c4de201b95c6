import { defineConfig } from 'vitest/config';

// Real processes and real Nx runs: one file at a time keeps two cores from thrashing.
export default defineConfig({
  test: {
    include: ['**/*.e2e.spec.ts'],
    environment: 'node',
    testTimeout: 240_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
