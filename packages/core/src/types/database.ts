/** The Kysely `Database` interface of a schema: SQL table and column names, as `orm.db` sees them. */
import type { ColumnType } from 'kysely'
import type { Simplify } from 'type-fest'
import type { AnyColumn, ColumnInfoOf } from '../schema/column.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { Casing } from '../schema/naming.js'
import type { ColumnMap, TableMeta } from '../schema/table.js'
import type { ColumnValue, TablesOf } from './schema-types.js'

/**
 * Type-level twin of `snakeCase()` in `schema/naming.ts`: `albumId` → `album_id`. It names the
 * columns of `Database<typeof schema>` under `casing: 'snake_case'`.
 *
 * @example
 * ```ts
 * type Column = SnakeCase<'albumId'>   // 'album_id'
 * ```
 */
export type SnakeCase<S extends string> = S extends `${infer Head}${infer Tail}`
  ? `${Head extends Uppercase<Head> ? (Head extends Lowercase<Head> ? Head : `_${Lowercase<Head>}`) : Head}${SnakeCase<Tail>}`
  : S

type SqlColumnName<P extends string, C extends AnyColumn, TCasing extends Casing> = [ColumnInfoOf<C>['sqlName']] extends [never]
  ? TCasing extends 'snake_case'
    ? SnakeCase<P>
    : P
  : ColumnInfoOf<C>['sqlName']

type KyselyColumn<C extends AnyColumn> = ColumnInfoOf<C>['hasDefault'] extends true
  ? ColumnType<ColumnValue<C>, ColumnValue<C> | undefined, ColumnValue<C>>
  : ColumnValue<C>

type KyselyTable<TColumns extends ColumnMap, TCasing extends Casing> = Simplify<{
  [P in keyof TColumns & string as SqlColumnName<P, TColumns[P], TCasing>]: KyselyColumn<TColumns[P]>
}>

/**
 * The Kysely database interface of a schema, keyed by SQL names. `Simplify` re-maps the
 * key-remapping (`as`) mapped type over its resolved keys: Kysely's query types, checked against
 * the `as` form directly, cost over twenty times more instantiations (bench/type-cost, 200 tables:
 * 4.9M without, 0.2M with).
 *
 * @example
 * ```ts
 * type DB = Database<typeof schema>
 * const rows = await orm.db.selectFrom('book_author').select(['book_id', 'author_id']).execute()
 * ```
 */
export type Database<S extends AnySchema> = Simplify<{
  [K in keyof TablesOf<S> as TablesOf<S>[K][typeof TableMeta]['name']]: KyselyTable<TablesOf<S>[K][typeof TableMeta]['columns'], S['$infer']['casing']>
}>
