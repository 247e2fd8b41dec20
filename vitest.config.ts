import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'spec/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Interop tests load a 200 MB native module; forks keep it out of worker threads.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
