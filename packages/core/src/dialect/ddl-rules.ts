/** What `createTables()` and `dropTables()` ask a database family. */
import type { Expression, Kysely, RawBuilder, SqlBool } from 'kysely'
import type { ColumnModel, ForeignKeyModel, TableModel } from '../schema/model.js'

/**
 * Where a column is declared: the table names it in error messages, `indexed` tells MySQL to avoid `text`.
 *
 * @example
 * ```ts
 * const site: ColumnSite = { table, column: table.primaryKey[0]!, indexed: true }
 * ```
 */
export interface ColumnSite {
  readonly table: TableModel
  readonly column: ColumnModel
  /** Part of a primary key, unique constraint or foreign key (either end). */
  readonly indexed: boolean
}

/**
 * A column's default value as DDL writes it: JSON documents and dates already as their text.
 *
 * @example
 * ```ts
 * const value: DefaultLiteral = '2020-01-02 03:04:05.678'
 * ```
 */
export type DefaultLiteral = string | number | bigint | boolean | null

/**
 * A family's DDL: the types, literals and table options of `CREATE TABLE`, and what `dropTables()`
 * runs. The order of statements, deferred keys and `ifNotExists` are the same on every family (ddl/).
 *
 * @example
 * ```ts
 * const rules: DdlRules = orm.dialect.platform.ddl
 * rules.columnType({ table, column, indexed: false })   // numeric(10, 2) on PostgreSQL, decimal(10, 2) on MySQL
 * ```
 */
export interface DdlRules {
  /** The data type of a column in `CREATE TABLE`; its length, precision and scale are already checked. */
  readonly columnType: (site: ColumnSite) => Expression<unknown>
  /** Whether a timestamp column keeps a time zone (PostgreSQL's `timestamptz`): its default then says UTC. */
  readonly timeZoneAware: (column: ColumnModel) => boolean
  /** A default value as the family writes it: a literal, or an expression where only that is accepted. */
  readonly defaultValue: (site: ColumnSite, value: DefaultLiteral) => Expression<unknown>
  /** Whether the column is filled by `AUTO_INCREMENT` (MySQL's serial; PostgreSQL's `serial` is a type). */
  readonly autoIncrement: (column: ColumnModel) => boolean
  /** A `CHECK` the column's values need beyond its type (PostgreSQL's enums are text limited to their values). */
  readonly columnCheck: (column: ColumnModel) => Expression<SqlBool> | undefined
  /** What ends the table's `CREATE TABLE` (MySQL: its character set, collation and comment); undefined: nothing. */
  readonly tableOptions: (table: TableModel) => Expression<unknown> | undefined
  /** A column's comment as a clause of its definition (MySQL's `COMMENT '...'`); undefined: none there. */
  readonly columnComment: (site: ColumnSite) => Expression<unknown> | undefined
  /** The statements that follow `CREATE TABLE` to store comments (PostgreSQL's `COMMENT ON`). */
  readonly commentStatements: (table: TableModel) => readonly RawBuilder<unknown>[]
  /** Whether an index may have a `WHERE` (a partial index); where not, `createTables()` refuses one, naming its table. */
  readonly partialIndexes: boolean
  /** The schema (PostgreSQL) or database (MySQL) whose tables are the connection's. */
  readonly currentSchema: Expression<string>
  /** Drops a foreign key from an existing table. */
  readonly dropForeignKey: (db: Kysely<any>, key: ForeignKeyModel) => Promise<void>
}
