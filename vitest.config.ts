import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config'

const core = 'packages/core/test'

/** Suites that need no database. */
const unit = [`${core}/unit/**/*.test.ts`, 'packages/migrate/test/unit/**/*.test.ts', 'bench/test/**/*.test.ts', `${core}/schema.test.ts`, `${core}/schema-smoke.test.ts`, `${core}/public-api-docs.test.ts`, 'examples/support/test/readme.test.ts']

/**
 * Suites that start private servers or proxies, break or wait on connections, or measure memory,
 * time or load: each test file in a process of its own, so that none of that reaches another file.
 */
const reliability = [
  `${core}/reliability-*.test.ts`,
  `${core}/commit-outcome.test.ts`,
  `${core}/connection-loss.test.ts`,
  `${core}/connection-waits.test.ts`,
  `${core}/mariadb-packet-limits.test.ts`,
  `${core}/session-untracked.test.ts`,
  `${core}/query-stream-memory.test.ts`,
  `${core}/input-sizes.test.ts`,
  // Compares CPU time at n and 4n objects: alone in its process, no other suite's garbage.
  `${core}/unit-of-work-large-collections.test.ts`,
  // A local server that accepts connections and never answers.
  `${core}/connect-timeout.test.ts`,
  // Packs the package and installs it into new projects with npm.
  `${core}/fresh-projects.test.ts`,
  // Runs README's Getting started in an empty folder, with the packed package.
  `${core}/readme-getting-started.test.ts`,
  // Builds the API reference with TypeDoc and opens its pages in headless Chromium.
  `${core}/api-reference.test.ts`,
  // Packs @relata/core and @relata/migrate and runs `npx relata` in a new project.
  'packages/migrate/test/fresh-project.test.ts',
  // Runs the relata command, a Node process per command.
  'packages/migrate/test/cli.test.ts',
]

/** What every project shares: workspace packages (@relata/core, @relata/test-kit) resolve to their TypeScript sources. */
const sources = {
  // Tests run in Vite's server environment, which reads `ssr.resolve.conditions`, not `resolve.conditions`.
  ssr: { resolve: { conditions: ['@relata/source', 'node', 'development|production'] } },
}
const timeouts = { testTimeout: 60_000, hookTimeout: 120_000 }

const integration: TestProjectInlineConfiguration = {
  ...sources,
  test: {
    ...timeouts,
    name: 'integration',
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...unit, ...reliability],
    // The test files of a worker run in one process, so that they share its PGlite instance
    // (@relata/test-kit's sharedPglite): each suite gets a schema on it, not an instance.
    isolate: false,
  },
}

const reliabilityProject: TestProjectInlineConfiguration = {
  ...sources,
  test: { ...timeouts, name: 'reliability', include: reliability },
}

// Type checking options given on the command line reach this file's own project only: with
// `--typecheck.only`, the other two have nothing to run.
const typeTestsOnly = process.argv.some((arg) => arg === '--typecheck.only' || arg === '--typecheck.only=true')

// One config for the whole monorepo, in three projects: this file's own, `unit` (with the type
// tests), and `integration` and `reliability` (`vitest --project unit` runs one). Suites that need
// PostgreSQL or MariaDB decide for themselves (@relata/test-kit/targets) whether to run, skip
// (outside CI) or fail (in CI).
export default defineConfig({
  ...sources,
  test: {
    ...timeouts,
    name: 'unit',
    include: unit,
    typecheck: {
      enabled: true,
      only: false,
      include: ['packages/*/test/**/*.test-d.ts', 'examples/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    projects: typeTestsOnly ? ['./vitest.config.ts'] : ['./vitest.config.ts', integration, reliabilityProject],
    // Two cores: two workers.
    maxWorkers: 2,
    // .ci/run reads the JSON report; RELATA_VITEST_REPORT names another file (its Node 24 run).
    reporters: process.env.CI ? ['default', ['json', { outputFile: process.env.RELATA_VITEST_REPORT ?? '.reports/vitest.json' }]] : ['default'],
  },
})
