/** `CREATE TABLE` for one table model: columns, primary key, uniques, enum checks and foreign keys. */
import type { CreateTableBuilder, Kysely } from 'kysely'
import type { ColumnSite, DdlRules } from '../dialect/ddl-rules.js'
import type { ColumnModel, ForeignKeyModel, TableModel } from '../schema/model.js'
import { defaultExpression } from './column-default.js'
import { columnType } from './column-type.js'
import { withReferentialActions } from './foreign-key.js'

/**
 * What `createTableQuery` needs beyond the table itself.
 *
 * @example
 * ```ts
 * const context: CreateTableContext = { ddl: mysqlPlatform.ddl, indexed: indexedColumns(tables), deferred: new Set(deferred) }
 * ```
 */
export interface CreateTableContext {
  /** The family's types, literals and table options. */
  readonly ddl: DdlRules
  /** Columns that are part of a key anywhere in the schema (see `indexedColumns`). */
  readonly indexed: ReadonlySet<ColumnModel>
  /** Keys left out here, to be added with `ALTER TABLE` once every table exists. */
  readonly deferred: ReadonlySet<ForeignKeyModel>
  readonly ifNotExists?: boolean
}

/**
 * The `CREATE TABLE` statement of a table. Constraints are named as PostgreSQL would name them
 * (`<table>_pkey`, `<table>_<column>_key`, `<table>_<column>_check`); foreign keys carry the
 * model's name. The family's table options end it (on MySQL: utf8mb4 with the `utf8mb4_bin` collation).
 *
 * @example
 * ```ts
 * await createTableQuery(db, schema.table('books'), { ddl: postgresPlatform.ddl, indexed, deferred: new Set() }).execute()
 * ```
 */
export function createTableQuery(db: Kysely<any>, table: TableModel, context: CreateTableContext): CreateTableBuilder<string, string> {
  const { ddl } = context
  let builder: CreateTableBuilder<string, string> = db.schema.createTable(table.sqlName)
  if (context.ifNotExists === true) builder = builder.ifNotExists()
  for (const column of table.columns) {
    const site: ColumnSite = { table, column, indexed: context.indexed.has(column) }
    const value = defaultExpression(site, ddl)
    builder = builder.addColumn(column.sqlName, columnType(site, ddl), (definition) => {
      let result = definition
      if (ddl.autoIncrement(column)) result = result.autoIncrement()
      if (!column.config.nullable) result = result.notNull()
      if (value !== undefined) result = result.defaultTo(value)
      return result
    })
  }
  builder = builder.addPrimaryKeyConstraint(`${table.sqlName}_pkey`, table.primaryKey.map((c) => c.sqlName))
  for (const column of table.columns) {
    if (column.config.unique) builder = builder.addUniqueConstraint(`${table.sqlName}_${column.sqlName}_key`, [column.sqlName])
    const check = ddl.columnCheck(column)
    if (check !== undefined) builder = builder.addCheckConstraint(`${table.sqlName}_${column.sqlName}_check`, check)
  }
  for (const key of table.foreignKeys) {
    if (context.deferred.has(key)) continue
    builder = builder.addForeignKeyConstraint(
      key.name,
      key.columns.map((c) => c.sqlName),
      key.references.sqlName,
      key.referencedColumns.map((c) => c.sqlName),
      (fk) => withReferentialActions(fk, key),
    )
  }
  if (ddl.tableOptions !== undefined) builder = builder.modifyEnd(ddl.tableOptions)
  return builder
}

/**
 * The columns that are part of a primary key, a unique constraint or a foreign key (at either
 * end): on MySQL these cannot be `TEXT`.
 *
 * @example
 * ```ts
 * const indexed = indexedColumns(schema.tables.values())
 * ```
 */
export function indexedColumns(tables: Iterable<TableModel>): Set<ColumnModel> {
  const indexed = new Set<ColumnModel>()
  for (const table of tables) {
    for (const column of table.columns) if (column.config.primaryKey || column.config.unique) indexed.add(column)
    for (const key of table.foreignKeys) for (const column of [...key.columns, ...key.referencedColumns]) indexed.add(column)
  }
  return indexed
}
