/** The public types of upserts and bulk statements: conflict targets known from the schema, `updateMany` / `deleteMany` builders. */
import type { AnySchema } from '../schema/define-schema.js'
import type { ColumnInfoOf } from '../schema/column.js'
import type { Filterable } from './query.js'
import type { Row } from './rows.js'
import type { ColumnsOf, TableKey } from './schema-types.js'

/** The columns (by property) whose type-level fact `F` is true: `'primaryKey'` or `'unique'`. */
type KeyColumns<S extends AnySchema, K extends TableKey<S>, F extends 'primaryKey' | 'unique'> = {
  [C in keyof ColumnsOf<S, K>]: ColumnInfoOf<ColumnsOf<S, K>[C]>[F] extends true ? C : never
}[keyof ColumnsOf<S, K>] &
  string

/**
 * Columns outside the primary key, by property: what a bulk UPDATE sets and an upsert's `update` names.
 *
 * @example
 * ```ts
 * const column: NonKeyColumn<typeof schema, 'tags'> = 'color'
 * ```
 */
export type NonKeyColumn<S extends AnySchema, K extends TableKey<S>> = string extends K ? string : KeyColumns<S, K, 'primaryKey'> extends infer P ? Exclude<keyof Row<S, K> & string, P> : never

/**
 * What an upsert may find a conflict on: one column declared `.unique()`, the primary key's
 * columns, or several columns (a table's `uniques` are not in its type: checked when it runs, as
 * whether all of the key's columns are named is). A one-column unique constraint declared in
 * `uniques` rather than with `.unique()` is not known here: declare it with `.unique()`.
 *
 * @example
 * ```ts
 * const byName: UpsertConflict<typeof schema, 'tags'> = ['name']   // name: t.text().unique()
 * const byKey: UpsertConflict<typeof schema, 'tags'> = ['id']
 * ```
 */
export type UpsertConflict<S extends AnySchema, K extends TableKey<S>> = string extends K
  ? readonly string[]
  : [KeyColumns<S, K, 'unique'>, KeyColumns<S, K, 'primaryKey'>] extends [infer U, infer P]
    ? readonly [U] | readonly P[] | readonly [keyof Row<S, K> & string, keyof Row<S, K> & string, ...(keyof Row<S, K> & string)[]]
    : never

/**
 * The options of `session.upsert()`: the conflict target, and the columns an existing row takes
 * (default: every column given other than the conflict columns, the primary key and the version).
 *
 * @example
 * ```ts
 * const options: UpsertOptionsOf<typeof schema, 'tags'> = { conflict: ['name'], update: ['color'] }
 * ```
 */
export type UpsertOptionsOf<S extends AnySchema, K extends TableKey<S>> = {
  readonly conflict: UpsertConflict<S, K>
  readonly update?: readonly NonKeyColumn<S, K>[]
}

/**
 * The values a bulk UPDATE sets: any columns outside the primary key.
 *
 * @example
 * ```ts
 * const values: BulkSetValues<typeof schema, 'tracks'> = { unitPrice: '0.99' }
 * ```
 */
export type BulkSetValues<S extends AnySchema, K extends TableKey<S>> = { [C in NonKeyColumn<S, K>]?: Row<S, K>[C] }

/**
 * `session.updateMany(table)`: one `UPDATE ... SET ... WHERE ...` of every row its filters match
 * (Prisma's `updateMany`, MikroORM's `nativeUpdate`, SQLAlchemy's `update().where()` with
 * `synchronize_session`). `where()` is `query().where()`; at least one call is required
 * (`where({})` for every row). The objects of the session whose rows it updated take the values.
 *
 * @example
 * ```ts
 * const changed = await session.updateMany('tracks').where({ albumId: 1 }).set({ unitPrice: '1.29' }).execute()
 * ```
 */
export interface BulkUpdate<S extends AnySchema, K extends TableKey<S>> extends Filterable<S, K, BulkUpdate<S, K>> {
  /** The values every matched row takes (merged with those of earlier calls). */
  set(values: BulkSetValues<S, K>): BulkUpdate<S, K>
  /** Runs it (after an autoflush of pending changes to its table); resolves to the number of rows updated. */
  execute(): Promise<number>
}

/**
 * `session.deleteMany(table)`: one `DELETE ... WHERE ...` of every row its filters match (Prisma's
 * `deleteMany`, MikroORM's `nativeDelete`, SQLAlchemy's `delete().where()`). `where()` is
 * `query().where()`; at least one call is required (`where({})` for every row). The objects of the
 * session whose rows it deleted leave the identity map and the loaded relations that held them.
 *
 * @example
 * ```ts
 * const gone = await session.deleteMany('tracks').where('milliseconds', '<', 1000).execute()
 * ```
 */
export interface BulkDelete<S extends AnySchema, K extends TableKey<S>> extends Filterable<S, K, BulkDelete<S, K>> {
  /** Runs it (after an autoflush of pending changes to its table); resolves to the number of rows deleted. */
  execute(): Promise<number>
}
