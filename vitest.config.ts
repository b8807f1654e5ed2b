import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PGlite takes a few seconds to start; real-data imports take longer on the embedded engine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores in CI: PGlite instances are memory-hungry, keep parallelism modest.
    maxWorkers: 2,
  },
});
