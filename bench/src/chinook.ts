/**
 * The Chinook schema and loader of Relata's own tests, imported as they are (not copied): the
 * schema in packages/core/test/fixtures/chinook/schema.ts, the dataset loader that
 * packages/core/test/support/chinook.ts uses. Both import Relata's sources directly, which is why
 * the bench runs with the `@relata/source` condition (so `@relata/core` is the same module).
 */
export { schema } from '../../packages/core/test/fixtures/chinook/schema.js'
export { chinookDir, loadChinook, splitStatements } from '../../packages/core/test/fixtures/chinook/load.js'
