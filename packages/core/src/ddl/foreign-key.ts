/** Foreign-key DDL: the referential actions of a key, and adding a key to an existing table (the family drops one: `DdlRules.dropForeignKey`). */
import type { Kysely } from 'kysely'
import type { ReferentialAction } from '../schema/column.js'
import type { ForeignKeyModel } from '../schema/model.js'

/** What Kysely's foreign-key builders have in common. */
interface ReferentialActions<B> {
  onDelete(action: ReferentialAction): B
  onUpdate(action: ReferentialAction): B
}

/**
 * Applies a key's `ON DELETE` and `ON UPDATE` to a Kysely foreign-key builder.
 *
 * @example
 * ```ts
 * db.schema.createTable('books').addForeignKeyConstraint(key.name, ['author_id'], 'authors', ['id'], (fk) => withReferentialActions(fk, key))
 * ```
 */
export function withReferentialActions<B extends ReferentialActions<B>>(builder: B, key: ForeignKeyModel): B {
  const withDelete = key.onDelete === undefined ? builder : builder.onDelete(key.onDelete)
  return key.onUpdate === undefined ? withDelete : withDelete.onUpdate(key.onUpdate)
}

/**
 * `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`: how a key deferred to break a cycle is added
 * once both tables exist.
 *
 * @example
 * ```ts
 * for (const key of deferred) await addForeignKey(db, key)
 * ```
 */
export async function addForeignKey(db: Kysely<any>, key: ForeignKeyModel): Promise<void> {
  await db.schema
    .alterTable(key.table.sqlName)
    .addForeignKeyConstraint(
      key.name,
      key.columns.map((c) => c.sqlName),
      key.references.sqlName,
      key.referencedColumns.map((c) => c.sqlName),
      (fk) => withReferentialActions(fk, key),
    )
    .execute()
}
