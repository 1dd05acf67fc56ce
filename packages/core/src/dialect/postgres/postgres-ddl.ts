/** PostgreSQL's DDL: its type names, enums as checked text, and its catalogue's current schema. */
import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely'
import type { ColumnModel, TableModel } from '../../schema/model.js'
import type { ColumnSite, DdlRules } from '../ddl-rules.js'

function typeName({ column }: ColumnSite): string {
  const { config } = column
  switch (config.dataType) {
    case 'serial':
    case 'integer':
    case 'bigint':
    case 'boolean':
    case 'date':
    case 'text':
    case 'real':
    case 'json':
    case 'jsonb':
    case 'uuid':
      return config.dataType
    case 'varchar':
      return `varchar(${config.length ?? 255})`
    case 'numeric':
      if (config.precision === undefined) return 'numeric'
      return config.scale === undefined ? `numeric(${config.precision})` : `numeric(${config.precision}, ${config.scale})`
    case 'double':
      return 'double precision'
    case 'timestamp': {
      const name = config.withTimezone === true ? 'timestamptz' : 'timestamp'
      return config.precision === undefined ? name : `${name}(${config.precision})`
    }
    case 'enum':
      // Limited to its values by `columnCheck`.
      return 'text'
  }
}

/** An enum column's values, as the `<table>_<column>_check` constraint of its table. */
function enumCheck(column: ColumnModel): Expression<SqlBool> | undefined {
  if (column.config.dataType !== 'enum') return undefined
  const values = sql.join((column.config.enumValues ?? []).map((value) => sql.lit(value)))
  return sql<SqlBool>`${sql.ref(column.sqlName)} in (${values})`
}

/** `COMMENT ON TABLE` and `COMMENT ON COLUMN` for what the table declares. */
function commentStatements(table: TableModel): RawBuilder<unknown>[] {
  const statements: RawBuilder<unknown>[] = []
  if (table.comment !== undefined) statements.push(sql`comment on table ${sql.table(table.sqlName)} is ${sql.lit(table.comment)}`)
  for (const column of table.columns) {
    const { comment } = column.config
    if (comment !== undefined) statements.push(sql`comment on column ${sql.table(table.sqlName)}.${sql.id(column.sqlName)} is ${sql.lit(comment)}`)
  }
  return statements
}

/**
 * PostgreSQL's (and PGlite's) DDL: `serial`, `double precision`, `timestamptz`, native `uuid` and
 * `jsonb`; an enum is `text` with a check constraint; literals as `sql.lit` writes them.
 *
 * @example
 * ```ts
 * postgresDdl.columnType({ table, column: table.columnsByProperty.get('at')!, indexed: false })   // timestamptz(3)
 * ```
 */
export const postgresDdl: DdlRules = Object.freeze({
  columnType: (site) => sql.raw(typeName(site)),
  timeZoneAware: (column) => column.config.withTimezone === true,
  defaultValue: (_site, value) => sql.lit(value),
  autoIncrement: () => false,
  columnCheck: enumCheck,
  tableOptions: () => undefined,
  columnComment: () => undefined,
  commentStatements,
  partialIndexes: true,
  currentSchema: sql<string>`current_schema()`,
  async dropForeignKey(db, key) {
    await db.schema.alterTable(key.table.sqlName).dropConstraint(key.name).execute()
  },
} satisfies DdlRules)
