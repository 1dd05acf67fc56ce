/** The two shapes migrations compare: what the schema declares and what the database holds (from @relata/migrate's shape modules). */
import type { Kysely } from 'kysely'
import type { AnySchema } from '@relata/core'
import type { SchemaShape, ShapeFamily } from '../shape/schema-shape.js'
import { MigrateError } from '../migrate-error.js'

/**
 * What `createTables()` would create for `schema` on `family`.
 *
 * @example
 * ```ts
 * const to = await schemaShape(schema, 'postgres')
 * ```
 */
export async function schemaShape(_schema: AnySchema, family: ShapeFamily): Promise<SchemaShape> {
  throw new MigrateError(`shapeOfSchema is not available yet (${family})`)
}

/**
 * The tables the database holds (its current schema on PostgreSQL, its database on MySQL).
 *
 * @example
 * ```ts
 * const current = await databaseShape(orm.db, 'postgres')
 * ```
 */
export async function databaseShape(_db: Kysely<any>, family: ShapeFamily): Promise<SchemaShape> {
  throw new MigrateError(`shapeOfDatabase is not available yet (${family})`)
}
