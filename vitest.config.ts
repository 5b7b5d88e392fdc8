import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql ships CJS and ESM builds; Pothos loads one and vite would load the other for our code.
  // One instance is required, so everything resolves to the CJS build as Node itself does.
  resolve: { alias: { graphql: 'graphql/index.js' } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/support/build-dashboard.ts'],
    // A file that leaves a socket, a timer or a child process open fails (test/support/leaks.ts).
    setupFiles: ['test/support/leaks.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The fuzz test compares the heap before and after, which needs a collection it can ask for.
    poolOptions: { forks: { execArgv: ['--expose-gc'] } },
    // Two cores: a few files at once keeps the machine responsive for the timing-bound tests.
    maxWorkers: 3,
    minWorkers: 1,
  },
});
