/** The migrate family of a shape's `family` name, and of a Kysely instance (from its adapter). */
import { MysqlAdapter, PostgresAdapter, type Kysely } from 'kysely'
import type { ShapeFamily } from '../shape/schema-shape.js'
import type { MigrateFamily } from './migrate-family.js'
import { mysqlFamily } from './mysql-family.js'
import { postgresFamily } from './postgres-family.js'

/**
 * The rules of one family.
 *
 * @example
 * ```ts
 * const family = migrateFamily(shape.family)
 * ```
 */
export function migrateFamily(name: ShapeFamily): MigrateFamily {
  if (name === 'postgres') return postgresFamily
  if (name === 'mysql') return mysqlFamily
  throw new Error(`Unknown SQL family '${String(name)}': @relata/migrate knows 'postgres' and 'mysql'`)
}

/**
 * The family a Kysely instance speaks, from its adapter (PGlite's is PostgreSQL's).
 *
 * @example
 * ```ts
 * familyOfKysely(orm.db)   // 'postgres'
 * ```
 */
export function familyOfKysely(db: Kysely<any>): ShapeFamily {
  const adapter = db.getExecutor().adapter
  if (adapter instanceof PostgresAdapter) return 'postgres'
  if (adapter instanceof MysqlAdapter) return 'mysql'
  throw new Error(`@relata/migrate cannot tell which SQL family this Kysely speaks (adapter ${adapter.constructor.name}): pass { family: 'postgres' | 'mysql' }`)
}
