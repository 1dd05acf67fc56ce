/** The Chinook sample database for tests and the bench: its schema, and the loader of the dataset's rows. */
export { schema } from './schema.js'
export { chinookDir, chinookInserts, loadChinook, loadChinookScript, splitStatements } from './load.js'
