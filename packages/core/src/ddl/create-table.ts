/** `CREATE TABLE` for one table model: columns, primary key, uniques, enum checks and foreign keys. */
import { sql, type CreateTableBuilder, type Kysely } from 'kysely'
import type { SqlFamily } from '../dialect/dialect.js'
import type { ColumnModel, ForeignKeyModel, TableModel } from '../schema/model.js'
import { defaultExpression } from './column-default.js'
import { columnType, type ColumnSite } from './column-type.js'
import { withReferentialActions } from './foreign-key.js'

/**
 * What `createTableQuery` needs beyond the table itself.
 *
 * @example
 * ```ts
 * const context: CreateTableContext = { family: 'mysql', indexed: indexedColumns(tables), deferred: new Set(deferred) }
 * ```
 */
export interface CreateTableContext {
  readonly family: SqlFamily
  /** Columns that are part of a key anywhere in the schema (see `indexedColumns`). */
  readonly indexed: ReadonlySet<ColumnModel>
  /** Keys left out here, to be added with `ALTER TABLE` once every table exists. */
  readonly deferred: ReadonlySet<ForeignKeyModel>
  readonly ifNotExists?: boolean
}

/**
 * The `CREATE TABLE` statement of a table. Constraints are named as PostgreSQL would name them
 * (`<table>_pkey`, `<table>_<column>_key`, `<table>_<column>_check`); foreign keys carry the
 * model's name. On MySQL the table is utf8mb4 with the `utf8mb4_bin` collation.
 *
 * @example
 * ```ts
 * await createTableQuery(db, schema.table('books'), { family: 'postgres', indexed, deferred: new Set() }).execute()
 * ```
 */
export function createTableQuery(db: Kysely<any>, table: TableModel, context: CreateTableContext): CreateTableBuilder<string, string> {
  let builder: CreateTableBuilder<string, string> = db.schema.createTable(table.sqlName)
  if (context.ifNotExists === true) builder = builder.ifNotExists()
  for (const column of table.columns) {
    const site: ColumnSite = { table, column, indexed: context.indexed.has(column) }
    const value = defaultExpression(site, context.family)
    builder = builder.addColumn(column.sqlName, columnType(site, context.family), (definition) => {
      let result = definition
      if (column.config.dataType === 'serial' && context.family === 'mysql') result = result.autoIncrement()
      if (!column.config.nullable) result = result.notNull()
      if (value !== undefined) result = result.defaultTo(value)
      return result
    })
  }
  builder = builder.addPrimaryKeyConstraint(`${table.sqlName}_pkey`, table.primaryKey.map((c) => c.sqlName))
  for (const column of table.columns) {
    if (column.config.unique) builder = builder.addUniqueConstraint(`${table.sqlName}_${column.sqlName}_key`, [column.sqlName])
    if (column.config.dataType === 'enum' && context.family === 'postgres') {
      const values = sql.join((column.config.enumValues ?? []).map((value) => sql.lit(value)))
      builder = builder.addCheckConstraint(`${table.sqlName}_${column.sqlName}_check`, sql`${sql.ref(column.sqlName)} in (${values})`)
    }
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
  // Not the database's charset: latin1 or utf8mb3 would store what they cannot hold as '?'. Binary
  // comparison, as on PostgreSQL: case and accents count (trailing spaces do not: MySQL's PAD SPACE).
  if (context.family === 'mysql') builder = builder.modifyEnd(sql`default character set utf8mb4 collate utf8mb4_bin`)
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
