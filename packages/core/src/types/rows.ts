/** Row types of a table: what is read, what an insert needs, what an update may change. */
import type { Simplify } from 'type-fest'
import type { AnySchema } from '../schema/define-schema.js'
import type { ColumnInfoOf } from '../schema/column.js'
import type { ColumnsOf, ColumnValue, IsInsertOptional, TableKey } from './schema-types.js'

/**
 * The columns of a row as read, keyed by property name. (`Simplify` keeps hovers readable where it nests.)
 *
 * @example
 * ```ts
 * type BookRow = Row<typeof schema, 'books'>   // { id: number; title: string; authorId: number }
 * ```
 */
export type Row<S extends AnySchema, K extends TableKey<S>> = Simplify<{
  -readonly [C in keyof ColumnsOf<S, K>]: ColumnValue<ColumnsOf<S, K>[C]>
}>

/**
 * The values `session.create` and inserts take: columns the database fills, and nullable ones, are optional.
 *
 * @example
 * ```ts
 * const values: Insertable<typeof schema, 'books'> = { title: 'Dune', authorId: 1 }   // id is serial: optional
 * ```
 */
export type Insertable<S extends AnySchema, K extends TableKey<S>> = Simplify<
  { [C in keyof ColumnsOf<S, K> as IsInsertOptional<ColumnsOf<S, K>[C]> extends true ? never : C]: ColumnValue<ColumnsOf<S, K>[C]> } & {
    [C in keyof ColumnsOf<S, K> as IsInsertOptional<ColumnsOf<S, K>[C]> extends true ? C : never]?: ColumnValue<ColumnsOf<S, K>[C]>
  }
>

/**
 * Any subset of the columns, as an update may change them.
 *
 * @example
 * ```ts
 * function rename(book: Entity<typeof schema, 'books'>, changes: Updateable<typeof schema, 'books'>): void {
 *   Object.assign(book, changes)   // written at the next flush
 * }
 * ```
 */
export type Updateable<S extends AnySchema, K extends TableKey<S>> = Partial<Row<S, K>>

/**
 * The primary-key value(s) of a table: the value itself for a single key, an object for a composite one.
 * `session.get()` takes it.
 *
 * @example
 * ```ts
 * const id: PrimaryKey<typeof schema, 'books'> = 1
 * const link: PrimaryKey<typeof schema, 'bookAuthor'> = { bookId: 1, authorId: 2 }
 * await session.get('bookAuthor', link)
 * ```
 */
export type PrimaryKey<S extends AnySchema, K extends TableKey<S>> = PrimaryKeyObject<S, K> extends infer P
  ? keyof P extends infer Only extends keyof P
    ? IsUnion<Only> extends true
      ? P
      : P[Only]
    : never
  : never

type PrimaryKeyObject<S extends AnySchema, K extends TableKey<S>> = {
  [C in keyof ColumnsOf<S, K> as ColumnInfoOf<ColumnsOf<S, K>[C]>['primaryKey'] extends true ? C : never]: ColumnInfoOf<ColumnsOf<S, K>[C]>['type']
}

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never
