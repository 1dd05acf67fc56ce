/** `shapeOfDatabase()`: the tables of an existing database, introspected by the family's module. */
import type { Kysely } from 'kysely'
import { introspectMysql } from './mysql-introspect.js'
import { normalizeShape } from './normalize.js'
import { introspectPostgres } from './postgres-introspect.js'
import type { SchemaShape, ShapeFamily } from './schema-shape.js'

/**
 * A Kysely instance, or anything that holds one as `db` (a Relata orm).
 *
 * @example
 * ```ts
 * await shapeOfDatabase(orm, 'postgres')      // the orm's connection
 * await shapeOfDatabase(orm.db, 'postgres')   // the same, as Kysely
 * ```
 */
export type DatabaseSource = Kysely<any> | { readonly db: unknown }

const kyselyOf = (source: DatabaseSource): Kysely<any> => ('db' in source && !('selectFrom' in source) ? (source.db as Kysely<any>) : (source as Kysely<any>))

/**
 * The tables of the connection's current schema (PostgreSQL, PGlite) or database (MySQL,
 * MariaDB) as a shape: after `createTables(schema)` it equals `shapeOfSchema(schema, family)`.
 *
 * @example
 * ```ts
 * const shape = await shapeOfDatabase(orm, 'postgres')
 * Object.keys(shape.tables)   // ['album', 'artist', ...]
 * ```
 */
export async function shapeOfDatabase(source: DatabaseSource, family: ShapeFamily): Promise<SchemaShape> {
  const db = kyselyOf(source)
  return normalizeShape(family === 'postgres' ? await introspectPostgres(db) : await introspectMysql(db))
}
