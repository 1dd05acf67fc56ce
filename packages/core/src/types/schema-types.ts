/** Small type-level accessors over a schema; everything else in `types/` is built from these. */
import type { AnyColumn, ColumnInfoOf } from '../schema/column.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { TableMeta } from '../schema/table.js'

export type TablesOf<S extends AnySchema> = S['$infer']['tables']
export type RelationsOf<S extends AnySchema> = S['$infer']['relations']

/**
 * The keys of a schema's tables (`'authors' | 'books' | 'bookAuthor'`): what queries and relations name.
 *
 * @example
 * ```ts
 * async function count(session: Session<typeof schema>, table: TableKey<typeof schema>): Promise<number> {
 *   return session.query(table).count()
 * }
 * ```
 */
export type TableKey<S extends AnySchema> = keyof TablesOf<S> & string

/** The declared columns of one table, keyed by property name. */
export type ColumnsOf<S extends AnySchema, K extends TableKey<S>> = TablesOf<S>[K][typeof TableMeta]['columns']

/** The relation declarations of one table (an empty object when it has none). */
export type TableRelations<S extends AnySchema, K extends TableKey<S>> = K extends keyof RelationsOf<S> ? RelationsOf<S>[K] : {}

/** A column's value as read: `T`, or `T | null` for a nullable column. */
export type ColumnValue<C extends AnyColumn> = ColumnInfoOf<C>['notNull'] extends true ? ColumnInfoOf<C>['type'] : ColumnInfoOf<C>['type'] | null

/** Optional on insert: the database can fill it (serial, default) or it accepts null. */
export type IsInsertOptional<C extends AnyColumn> = ColumnInfoOf<C>['hasDefault'] extends true ? true : ColumnInfoOf<C>['notNull'] extends true ? false : true
