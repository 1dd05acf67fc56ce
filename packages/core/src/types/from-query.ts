/** Types of `session.fromQuery()`: which table a Kysely query's rows are, read from its selection. */
import type { SelectQueryBuilder } from 'kysely'
import type { IsUnion } from 'type-fest'
import type { AnySchema } from '../schema/define-schema.js'
import type { TableMeta } from '../schema/table.js'
import type { Database } from './database.js'
import type { TableKey, TablesOf } from './schema-types.js'

/** The SQL column names of table `K`, as `Database<S>` (and `session.db`) names them. */
type SqlColumns<S extends AnySchema, K extends TableKey<S>> = keyof Database<S>[TablesOf<S>[K][typeof TableMeta]['name'] & keyof Database<S>] & string

/**
 * The tables of `S` whose SQL columns are exactly the keys of row type `O` (a query's selection):
 * `selectAll('books')` gives `'books'`.
 *
 * @example
 * ```ts
 * const query = session.db.selectFrom('books').innerJoin('authors', 'authors.id', 'books.author_id').selectAll('books')
 * type Books = TableOfRow<typeof schema, Awaited<ReturnType<typeof query.execute>>[number]>   // 'books'
 * ```
 */
export type TableOfRow<S extends AnySchema, O> = {
  [K in TableKey<S>]: [SqlColumns<S, K>] extends [keyof O] ? ([keyof O] extends [SqlColumns<S, K>] ? K : never) : never
}[TableKey<S>]

/** Why a query's selection cannot be told as one table's row: shown as the argument's expected type. */
interface NotOneTable<Why extends string> {
  readonly 'fromQuery(): name the table, fromQuery(table, query)': Why
}

/**
 * The check `fromQuery(query)` puts on a Kysely select with row type `O`: `unknown` (no
 * constraint) when its selection is one table's columns exactly, else a type naming why (name the
 * table: `fromQuery('books', query)`).
 *
 * @example
 * ```ts
 * session.fromQuery(session.db.selectFrom('books').selectAll('books'))              // Entity<S, 'books'>[]
 * // @ts-expect-error a selection of some columns is no table's row
 * session.fromQuery(session.db.selectFrom('books').select(['id', 'title']))
 * ```
 */
export type OneTableRow<S extends AnySchema, O> = [TableOfRow<S, O>] extends [never]
  ? NotOneTable<"the query's selection is no table's columns exactly">
  : IsUnion<TableOfRow<S, O>> extends true
    ? NotOneTable<"the query's selection is the columns of several tables">
    : unknown

/** Why a query's rows cannot be a table's objects, when the table is named. */
interface MissingColumns<Missing extends string> {
  readonly 'fromQuery(): the selection lacks columns of the table': Missing
}

/**
 * The check `fromQuery(table, query)` puts on a Kysely select with row type `O`: `unknown` when its
 * rows hold every column of `table` (more columns are ignored), else a type naming the missing ones.
 *
 * @example
 * ```ts
 * session.fromQuery('books', session.db.selectFrom('books').innerJoin('authors', 'authors.id', 'books.author_id').selectAll('books').select('authors.name as author_name'))
 * ```
 */
export type HasTableColumns<S extends AnySchema, K extends TableKey<S>, O> = [Exclude<SqlColumns<S, K>, keyof O>] extends [never] ? unknown : MissingColumns<Exclude<SqlColumns<S, K>, keyof O>>

/** A Kysely select query with row type `O`, as `fromQuery()` takes it. */
export type SelectQuery<O> = SelectQueryBuilder<any, any, O>
