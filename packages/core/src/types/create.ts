/** What `session.create()` takes and returns: column values plus optional relation values; a new object with every relation loaded. */
import type { AnySchema } from '../schema/define-schema.js'
import type { Collection, ColumnsOnly, Reference, ViewCollection } from './entity.js'
import type { Loaded } from './loaded.js'
import type { Insertable } from './rows.js'
import type { ColumnsOf, TableKey, TableRelations } from './schema-types.js'
import type { ColumnInfoOf } from '../schema/column.js'
import type { Entity } from './entity.js'

// A read-only collection takes no value: the unit of work ignores it.
type RelationValue<H> = [H] extends [Collection<any, infer I>] ? readonly I[] : [H] extends [ViewCollection<any>] ? never : [NonNullable<H>] extends [Reference<infer E, any>] ? ([H] extends [Reference<E, false>] ? ColumnsOnly<E> : ColumnsOnly<E> | null) : never

/** Foreign-key columns: optional in `create()`, since a relation's object can provide them (checked at flush). */
type ForeignKeyColumns<S extends AnySchema, K extends TableKey<S>> = {
  [C in keyof ColumnsOf<S, K>]: [ColumnInfoOf<ColumnsOf<S, K>[C]>['ref']] extends [never] ? never : C
}[keyof ColumnsOf<S, K>]

/**
 * Column values (the insert type) and, optionally, related objects: what `session.create()` and
 * `orm.build()` take. A foreign-key column may be left out when its relation is given.
 *
 * @example
 * ```ts
 * const values: CreateValues<typeof schema, 'books'> = { title: 'The Great Gatsby', author: john }
 * const gatsby = session.create('books', values)
 * ```
 */
export type CreateValues<S extends AnySchema, K extends TableKey<S>> = PartialBy<Insertable<S, K>, ForeignKeyColumns<S, K>> & {
  [R in keyof TableRelations<S, K> & keyof Entity<S, K>]?: RelationValue<Entity<S, K>[R]>
}

type PartialBy<T, K> = Omit<T, K & keyof T> & Partial<Pick<T, K & keyof T>>

type AllLoaded<S extends AnySchema, K extends TableKey<S>> = { [R in keyof TableRelations<S, K>]: true }

/**
 * A new object: its relations are loaded (empty), so they read and change like arrays and objects.
 * `session.create()` and `orm.build()` return one.
 *
 * @example
 * ```ts
 * const john: NewEntity<typeof schema, 'authors'> = session.create('authors', { name: 'John Doe' })
 * john.books.length   // 0, until a book is created with author: john
 * ```
 */
export type NewEntity<S extends AnySchema, K extends TableKey<S>> = Loaded<S, K, AllLoaded<S, K>>
