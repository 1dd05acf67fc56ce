/** What migrations run on: an ORM or a Kysely instance, and the SQL family it speaks. */
import type { Kysely } from 'kysely'
import type { ShapeFamily } from '../shape/schema-shape.js'
import { familyOfKysely } from '../family/families.js'

/**
 * An ORM (`createOrm(...)`) or a Kysely instance.
 *
 * @example
 * ```ts
 * const target: MigrationTarget = orm   // or orm.db, or new Kysely({ dialect })
 * ```
 */
export type MigrationTarget = { readonly db: Kysely<any>; readonly dialect: { readonly capabilities: { readonly family: ShapeFamily } } } | Kysely<any>

/**
 * The Kysely and family of a target.
 *
 * @example
 * ```ts
 * const { db, family } = resolveTarget(orm)
 * ```
 */
export function resolveTarget(target: MigrationTarget): { db: Kysely<any>; family: ShapeFamily } {
  if ('dialect' in target && 'db' in target) return { db: target.db, family: target.dialect.capabilities.family }
  const db = target as Kysely<any>
  return { db, family: familyOfKysely(db) }
}
