/**
 * The Chinook schema and loader of Relata's own tests, from @relata/test-kit (not copied). They
 * import `@relata/core` as source, which is why the bench runs with the `@relata/source` condition
 * (so that they and the bench share one `@relata/core` module).
 */
export { chinookDir, loadChinook, schema, splitStatements } from '@relata/test-kit/chinook'
