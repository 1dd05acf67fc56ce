/** Kysely's own bookkeeping tables, left out when a database's shape is compared with a schema. */
import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE } from 'kysely/migration'
import type { SchemaShape } from '../shape/schema-shape.js'

/**
 * `shape` without `kysely_migration` and `kysely_migration_lock`: no schema declares them, and a
 * diff would otherwise drop them.
 *
 * @example
 * ```ts
 * const current = withoutMigrationTables(await shapeOfDatabase(orm, 'postgres'))
 * ```
 */
export function withoutMigrationTables(shape: SchemaShape): SchemaShape {
  const tables = Object.fromEntries(Object.entries(shape.tables).filter(([name]) => name !== DEFAULT_MIGRATION_TABLE && name !== DEFAULT_MIGRATION_LOCK_TABLE))
  return { family: shape.family, tables }
}
