/** PostgreSQL's platform, shared by the `postgres()` and `pglite()` dialects. */
import type { Platform } from '../platform.js'
import { postgresDdl } from './postgres-ddl.js'
import { postgresStatements } from './postgres-statements.js'
import { postgresValues } from './postgres-values.js'

/**
 * PostgreSQL's behaviour: its types, literals, JSON aggregation and batched statements.
 *
 * @example
 * ```ts
 * postgresPlatform.ddl   // what createTables() writes on PostgreSQL
 * ```
 */
export const postgresPlatform: Platform = Object.freeze({
  values: postgresValues,
  ddl: postgresDdl,
  statements: postgresStatements,
})
