/**
 * Builds @relata/core into dist/: ESM and bundled declarations, one entry per subpath of the
 * `exports` map (`.`, `./pglite`, `./postgres`, `./mysql`, `./internal`). Code shared by several entries goes
 * into shared chunks, so a class such as `RelataError` exists once whichever entry loads it.
 * Nothing from node_modules is bundled: kysely and type-fest are dependencies, the drivers
 * (`pg`, `mysql2`, `@electric-sql/pglite`) optional peers that only their own entry imports.
 */
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    pglite: 'src/dialect/postgres/pglite.ts',
    postgres: 'src/dialect/postgres/postgres.ts',
    mysql: 'src/dialect/mysql/mysql.ts',
    internal: 'src/internal.ts',
  },
  format: 'esm',
  platform: 'node',
  target: 'node22.12',
  // `.js` and `.d.ts`, as package.json's exports name them ("type": "module" makes .js ESM).
  fixedExtension: false,
  dts: { sourcemap: true },
  sourcemap: true,
  clean: true,
  deps: { skipNodeModulesBundle: true },
  // package.json is written by hand: the `@relata/source` condition must stay first.
  exports: false,
  publint: false,
  attw: false,
})
