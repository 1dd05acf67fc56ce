/** The types of column subsets: which columns a query loads (`select`, `omit`, `undefer`, deferred columns) and `obj.load('column')`. */
import type { AnySchema } from '../schema/define-schema.js'
import type { ColumnInfoOf } from '../schema/column.js'
import type { Row } from './rows.js'
import type { ColumnsOf, TableKey } from './schema-types.js'

/** The columns (by property) whose type-level fact `F` is true. */
type FlaggedColumns<S extends AnySchema, K extends TableKey<S>, F extends 'primaryKey' | 'deferred'> = {
  [C in keyof ColumnsOf<S, K>]: ColumnInfoOf<ColumnsOf<S, K>[C]>[F] extends true ? C : never
}[keyof ColumnsOf<S, K>] &
  string

/**
 * The columns of table `K` declared `.deferred()`: left out of query results unless the query loads them.
 *
 * @example
 * ```ts
 * type Lazy = DeferredColumn<typeof schema, 'books'>   // 'body'
 * ```
 */
export type DeferredColumn<S extends AnySchema, K extends TableKey<S>> = FlaggedColumns<S, K, 'deferred'>

/**
 * The columns of table `K` a query loads unless told otherwise: every column but the deferred ones.
 *
 * @example
 * ```ts
 * type Loads = DefaultColumn<typeof schema, 'books'>   // 'id' | 'title' | 'authorId'
 * ```
 */
export type DefaultColumn<S extends AnySchema, K extends TableKey<S>> = Exclude<keyof Row<S, K> & string, DeferredColumn<S, K>>

/**
 * The columns `omit()` may leave out: any but the primary key's, which identify the object.
 *
 * @example
 * ```ts
 * const left: OmittableColumn<typeof schema, 'books'> = 'title'
 * ```
 */
export type OmittableColumn<S extends AnySchema, K extends TableKey<S>> = Exclude<DefaultColumn<S, K>, FlaggedColumns<S, K, 'primaryKey'>>

/**
 * The entry of a query's loaded spec that records which columns it loads: `select('id', 'title')`
 * adds `ColumnsEntry<'id' | 'title'>`, and its results have those columns alone.
 *
 * @example
 * ```ts
 * type Titles = Loaded<typeof schema, 'books', ColumnsEntry<'id' | 'title'>>   // { id, title } and the relations
 * ```
 */
export type ColumnsEntry<N extends PropertyKey> = { readonly $columns: { readonly [C in N]: true } }

/**
 * `select()`'s entry: the named columns and the primary key's.
 *
 * @example
 * ```ts
 * type Titles = Loaded<typeof schema, 'books', SelectEntry<typeof schema, 'books', 'title'>>   // id and title
 * ```
 */
export type SelectEntry<S extends AnySchema, K extends TableKey<S>, C> = ColumnsEntry<(C & string) | FlaggedColumns<S, K, 'primaryKey'>>

/**
 * `omit()`'s entry: the default columns but the named ones.
 *
 * @example
 * ```ts
 * type Light = Loaded<typeof schema, 'books', OmitEntry<typeof schema, 'books', 'summary'>>
 * ```
 */
export type OmitEntry<S extends AnySchema, K extends TableKey<S>, C> = ColumnsEntry<Exclude<DefaultColumn<S, K>, C>>

/**
 * `undefer()`'s entry: the default columns and the named deferred ones.
 *
 * @example
 * ```ts
 * type Full = Loaded<typeof schema, 'books', UndeferEntry<typeof schema, 'books', 'body'>>   // with body
 * ```
 */
export type UndeferEntry<S extends AnySchema, K extends TableKey<S>, C> = ColumnsEntry<DefaultColumn<S, K> | (C & string)>

/**
 * What a column-subset method accepts: the names `N`, unless the query chose its columns already
 * (`select`, `omit` and `undefer` do not combine, and each is called once).
 *
 * @example
 * ```ts
 * type Names = SubsetColumn<{}, 'id' | 'title'>                    // 'id' | 'title'
 * type None = SubsetColumn<ColumnsEntry<'id'>, 'id' | 'title'>     // never
 * ```
 */
export type SubsetColumn<W, N> = W extends { readonly $columns: unknown } ? never : N

/**
 * The column properties a loaded result has: those its query loaded (`$columns` in its spec),
 * else every column but the deferred ones. A column left out is not a property of the type, so
 * reading it is a compile error; `await obj.load('body')` gives a type that has it.
 *
 * @example
 * ```ts
 * type Columns = LoadedColumns<typeof schema, 'books', ColumnsEntry<'id' | 'title'>>   // { id: number; title: string }
 * ```
 */
export type LoadedColumns<S extends AnySchema, K extends TableKey<S>, W> = W extends { readonly $columns: infer C }
  ? Pick<Row<S, K>, keyof C & keyof Row<S, K>>
  : [DeferredColumn<S, K>] extends [never]
    ? Row<S, K>
    : Omit<Row<S, K>, DeferredColumn<S, K>>

/**
 * `obj.load('body', ...)`: reads the named columns of an object in one `SELECT` (none when each is
 * loaded already) and resolves to the object, typed with them.
 *
 * @example
 * ```ts
 * const book = await session.query('books').select('id', 'title').one()
 * const full = await book.load('body')
 * full.body.length
 * ```
 */
export interface ColumnLoadMethod<S extends AnySchema, K extends TableKey<S>> {
  /** Loads these columns (deferred, left out by `select()` / `omit()`, or expired) and resolves to the object itself. */
  load<const C extends keyof Row<S, K> & string>(...columns: [C, ...C[]]): Promise<this & Pick<Row<S, K>, C>>
}
