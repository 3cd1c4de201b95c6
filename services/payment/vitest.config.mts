// Platform-owned: the vitest configuration. Changes come from templates/service on upgrade, not by hand.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    environment: 'node',
  },
});
