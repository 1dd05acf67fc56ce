import { defineConfig } from 'vitest/config'

// One config for the whole monorepo. Suites that need PostgreSQL or MariaDB decide for themselves
// (@relata/test-kit/targets) whether to run, skip (outside CI) or fail (in CI).
export default defineConfig({
  // Workspace packages (@relata/core, @relata/test-kit) resolve to their TypeScript sources. Tests
  // run in Vite's server environment, which reads `ssr.resolve.conditions`, not `resolve.conditions`.
  ssr: {
    resolve: {
      conditions: ['@relata/source', 'node', 'development|production'],
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // Two cores: two workers, each with at most one PGlite instance alive at a time.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    typecheck: {
      enabled: true,
      only: false,
      include: ['packages/*/test/**/*.test-d.ts', 'examples/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    // .ci/run reads the JSON report; RELATA_VITEST_REPORT names another file (its Node 24 run).
    reporters: process.env.CI ? ['default', ['json', { outputFile: process.env.RELATA_VITEST_REPORT ?? '.reports/vitest.json' }]] : ['default'],
  },
})
