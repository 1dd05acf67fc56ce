/** MySQL's and MariaDB's DDL: their type names, inline enums, literals every `sql_mode` reads the same, utf8mb4 tables. */
import { sql, type RawBuilder } from 'kysely'
import type { ColumnDataType } from '../../schema/column.js'
import { SchemaError } from '../../errors.js'
import type { ColumnSite, DdlRules } from '../ddl-rules.js'
import { hexLiteral, readsByMode } from './mysql-literals.js'

/**
 * `sql.lit(value)`, except that a string holding a backslash or NUL is written as hex (`X'5c'`):
 * quoted, it would read differently under `NO_BACKSLASH_ESCAPES`, and MariaDB drops the backslash
 * of `_utf8mb4 X'...'` in a stored default. `ENUM` lists and defaults take plain hex.
 */
function ddlLiteral(value: unknown): RawBuilder<unknown> {
  return typeof value === 'string' && readsByMode(value) ? sql.raw(hexLiteral(value)) : sql.lit(value)
}

function typeName({ column, indexed }: ColumnSite, dataType: Exclude<ColumnDataType, 'enum'>): string {
  const { config } = column
  switch (dataType) {
    case 'serial':
      // Filled by AUTO_INCREMENT (`autoIncrement`).
      return 'integer'
    case 'integer':
    case 'bigint':
    case 'boolean':
    case 'date':
      return dataType
    case 'text':
      // A TEXT cannot be a key.
      return indexed ? 'varchar(255)' : 'text'
    case 'varchar':
      return `varchar(${config.length ?? 255})`
    case 'numeric':
      if (config.precision === undefined) return 'decimal(65, 30)'
      return config.scale === undefined ? `decimal(${config.precision})` : `decimal(${config.precision}, ${config.scale})`
    case 'real':
      return 'float'
    case 'double':
      return 'double'
    case 'timestamp':
      return `datetime(${config.precision ?? 3})`
    case 'json':
    case 'jsonb':
      return 'json'
    case 'uuid':
      return 'char(36)'
  }
}

// Not the database's charset: latin1 or utf8mb3 would store what they cannot hold as '?'. Binary
// comparison, as on PostgreSQL: case and accents count (trailing spaces do not: MySQL's PAD SPACE).
const utf8mb4Binary = sql`default character set utf8mb4 collate utf8mb4_bin`

/**
 * A comment as a string literal. A backslash would read differently by `sql_mode`
 * (`NO_BACKSLASH_ESCAPES`) and `COMMENT` takes no hex literal, so a comment holding one is refused.
 */
function commentLiteral(what: string, text: string): RawBuilder<unknown> {
  if (readsByMode(text)) throw new SchemaError(`${what} has a comment with a backslash or NUL character, which MySQL and MariaDB read differently by sql_mode: remove it`)
  return sql.lit(text)
}

/**
 * MySQL's and MariaDB's DDL: `AUTO_INCREMENT` for serial, `datetime(3)`, `char(36)` uuids, native
 * `ENUM`s, an indexed `text` as `varchar(255)`; `text` and `json` defaults as parenthesised
 * expressions, the only form MySQL 8 accepts for them; every table utf8mb4 with `utf8mb4_bin`.
 *
 * @example
 * ```ts
 * mysqlDdl.columnType({ table, column: table.columnsByProperty.get('price')!, indexed: false })   // decimal(10, 2)
 * ```
 */
export const mysqlDdl: DdlRules = Object.freeze({
  columnType(site) {
    const { dataType, enumValues } = site.column.config
    if (dataType === 'enum') return sql`enum(${sql.join((enumValues ?? []).map((value) => ddlLiteral(value)))})`
    return sql.raw(typeName(site, dataType))
  },
  timeZoneAware: () => false,
  defaultValue({ column, indexed }, value) {
    const literal = ddlLiteral(value)
    const { dataType } = column.config
    const expressionOnly = value !== null && (dataType === 'json' || dataType === 'jsonb' || (dataType === 'text' && !indexed))
    return expressionOnly ? sql`(${literal})` : literal
  },
  autoIncrement: (column) => column.config.dataType === 'serial',
  columnCheck: () => undefined,
  tableOptions: (table) =>
    table.comment === undefined ? utf8mb4Binary : sql`${utf8mb4Binary} comment = ${commentLiteral(`Table '${table.sqlName}'`, table.comment)}`,
  columnComment: ({ table, column }) =>
    column.config.comment === undefined ? undefined : sql`comment ${commentLiteral(`Column '${table.sqlName}.${column.sqlName}'`, column.config.comment)}`,
  commentStatements: () => [],
  partialIndexes: false,
  currentSchema: sql<string>`database()`,
  async dropForeignKey(db, key) {
    // MySQL 8 and MariaDB both take DROP FOREIGN KEY.
    await sql`alter table ${sql.table(key.table.sqlName)} drop foreign key ${sql.id(key.name)}`.execute(db)
  },
} satisfies DdlRules)
