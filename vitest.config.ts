import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      // Workspace packages export their compiled dist/ to Node and their TypeScript sources under
      // the "@dnc/source" condition. Added to every Vite environment (test files, global setup), it
      // runs the tests on the sources, with no build.
      name: 'dnc-source-condition',
      configEnvironment: () => ({ resolve: { conditions: ['@dnc/source'] } }),
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Each file gets its own database and Redis prefix, so files run in parallel safely.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
