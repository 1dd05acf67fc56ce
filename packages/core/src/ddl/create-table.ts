/** `CREATE TABLE` for one table model (columns, primary key, uniques, checks, foreign keys), then its indexes and comments. */
import type { CompiledQuery, CreateIndexBuilder, CreateTableBuilder, Expression, Kysely, RawBuilder, SqlBool } from 'kysely'
import { SchemaError } from '../errors.js'
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
    const comment = ddl.columnComment(site)
    builder = builder.addColumn(column.sqlName, columnType(site, ddl), (definition) => {
      let result = definition
      if (ddl.autoIncrement(column)) result = result.autoIncrement()
      if (!column.config.nullable) result = result.notNull()
      if (value !== undefined) result = result.defaultTo(value)
      if (comment !== undefined) result = result.modifyEnd(comment)
      return result
    })
  }
  builder = builder.addPrimaryKeyConstraint(`${table.sqlName}_pkey`, table.primaryKey.map((c) => c.sqlName))
  for (const unique of table.uniques) {
    builder = builder.addUniqueConstraint(
      unique.name,
      unique.columns.map((c) => c.sqlName),
    )
  }
  for (const column of table.columns) {
    const check = ddl.columnCheck(column)
    if (check !== undefined) builder = builder.addCheckConstraint(`${table.sqlName}_${column.sqlName}_check`, check)
  }
  for (const check of table.checks) builder = builder.addCheckConstraint(check.name, check.expression)
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
  const options = ddl.tableOptions(table)
  if (options !== undefined) builder = builder.modifyEnd(options)
  return builder
}

/**
 * What follows a table's `CREATE TABLE`: `CREATE INDEX` for each declared index, then the
 * family's comment statements. Call `checkDeclarations` first: a partial index the family cannot
 * create is refused there.
 *
 * @example
 * ```ts
 * for (const statement of afterCreateTable(db, schema.table('books'), postgresPlatform.ddl)) await statement.execute()
 * ```
 */
export function afterCreateTable(db: Kysely<any>, table: TableModel, ddl: DdlRules): DdlStatement[] {
  const indexes = table.indexes.map((index) => {
    let builder: CreateIndexBuilder<any> = db.schema.createIndex(index.name).on(table.sqlName).columns(index.columns.map((c) => c.sqlName))
    if (index.unique) builder = builder.unique()
    const where = index.where
    if (where !== undefined) builder = builder.where(() => where as Expression<SqlBool>)
    return builder
  })
  const bound = (raw: RawBuilder<unknown>): DdlStatement => ({ compile: () => raw.compile(db), execute: () => raw.execute(db) })
  return [...indexes, ...ddl.commentStatements(table).map(bound)]
}

/**
 * A statement ready to run on the executor it was built with, or to compile.
 *
 * @example
 * ```ts
 * afterCreateTable(db, table, ddl).map((statement) => statement.compile().sql)
 * ```
 */
export interface DdlStatement {
  compile(): CompiledQuery
  execute(): Promise<unknown>
}

/**
 * Refuses what the family cannot create, before anything is created: a partial index where
 * indexes take no `WHERE`, naming the table and index.
 *
 * @example
 * ```ts
 * checkDeclarations(schema.tables.values(), mysqlPlatform.ddl)   // throws for a partial index
 * ```
 */
export function checkDeclarations(tables: Iterable<TableModel>, ddl: DdlRules): void {
  for (const table of tables) {
    for (const index of table.indexes) {
      if (index.where !== undefined && !ddl.partialIndexes) {
        throw new SchemaError(
          `Table '${table.sqlName}': index '${index.name}' is partial (where), which this database cannot create; drop its where or make it a full index`,
        )
      }
    }
  }
}

/**
 * The columns that are part of a primary key, a unique constraint, an index or a foreign key (at
 * either end): on MySQL these cannot be `TEXT`.
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
    for (const { columns } of [...table.uniques, ...table.indexes]) for (const column of columns) indexed.add(column)
    for (const key of table.foreignKeys) for (const column of [...key.columns, ...key.referencedColumns]) indexed.add(column)
  }
  return indexed
}
