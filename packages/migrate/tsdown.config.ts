/**
 * Builds @relata/migrate into dist/: the library (`index`) and the command line (`cli`, which
 * bin/relata.js imports). Nothing from node_modules is bundled: kysely, tsx and @relata/core are
 * resolved where the package is installed.
 */
import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli/main.ts' },
  format: 'esm',
  platform: 'node',
  target: 'node22.12',
  fixedExtension: false,
  dts: { sourcemap: true },
  sourcemap: true,
  clean: true,
  deps: { skipNodeModulesBundle: true },
  exports: false,
  publint: false,
  attw: false,
})
