/** What PostgreSQL (and PGlite, which is PostgreSQL) can do: shared by the `postgres()` and `pglite()` dialects. */
import type { DialectCapabilities } from '../dialect.js'

/**
 * The capabilities of PostgreSQL: `RETURNING`, transactional DDL, the wire protocol's limit of
 * 65535 bind parameters per statement, and `json_agg` for eager loading.
 *
 * @example
 * ```ts
 * postgresCapabilities.maxParameters   // 65535
 * ```
 */
export const postgresCapabilities: DialectCapabilities = Object.freeze({
  family: 'postgres',
  returning: true,
  maxParameters: 65535,
  transactionalDdl: true,
  jsonAggregation: 'postgres',
  lockWaits: Object.freeze({ noWait: true, skipLocked: true }),
})
