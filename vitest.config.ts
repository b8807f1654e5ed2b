import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests spawn the built command: built first when the sources are newer. Embedded
    // databases and CLI homes start from one migrated template instead of creating a cluster each.
    globalSetup: ['test/setup/built-cli.ts', 'test/setup/database-template.ts'],
    // Only a guard against a hang, never a performance target (those go to `npm run bench`): a busy
    // shared 2-core machine runs a test many times slower than a quiet one, and tests wait on state.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // Two cores in CI, three workers: many tests wait on a clock (a schedule's next second, a retry's
    // backoff, a solver's deadline) or on a child process, and a third worker uses those idle cores.
    // PGlite instances are memory-hungry: no more than that.
    maxWorkers: 3,
  },
});
