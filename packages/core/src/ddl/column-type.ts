/** The SQL data type of a declared column, per SQL family. */
import { sql, type Expression } from 'kysely'
import type { SqlFamily } from '../dialect/dialect.js'
import { SchemaError } from '../errors.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { ddlLiteral } from './ddl-literal.js'

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
 * The data type of a column in `CREATE TABLE`. On MySQL an indexed `text` column becomes
 * `varchar(255)` (a `TEXT` cannot be a key), `uuid` is `char(36)` and an enum is a native `ENUM`;
 * on PostgreSQL an enum is `text` plus the check constraint added by `createTableQuery`.
 *
 * @example
 * ```ts
 * columnType({ table, column: table.columnsByProperty.get('price')!, indexed: false }, 'mysql')   // decimal(10, 2)
 * ```
 */
export function columnType(site: ColumnSite, family: SqlFamily): Expression<unknown> {
  const { config } = site.column
  if (config.dataType === 'enum' && family === 'mysql') {
    return sql`enum(${sql.join((config.enumValues ?? []).map((value) => ddlLiteral(value, family)))})`
  }
  return sql.raw(typeName(site, family))
}

function typeName(site: ColumnSite, family: SqlFamily): string {
  const { config } = site.column
  const postgres = family === 'postgres'
  switch (config.dataType) {
    case 'serial':
      return postgres ? 'serial' : 'integer'
    case 'integer':
    case 'bigint':
    case 'boolean':
    case 'date':
      return config.dataType
    case 'text':
      return postgres || !site.indexed ? 'text' : 'varchar(255)'
    case 'varchar':
      return `varchar(${size(site, 'length', config.length ?? 255)})`
    case 'numeric':
      return numeric(site, family)
    case 'real':
      return postgres ? 'real' : 'float'
    case 'double':
      return postgres ? 'double precision' : 'double'
    case 'timestamp':
      return timestamp(site, family)
    case 'json':
    case 'jsonb':
      return postgres ? config.dataType : 'json'
    case 'uuid':
      return postgres ? 'uuid' : 'char(36)'
    case 'enum':
      return 'text'
  }
}

function numeric(site: ColumnSite, family: SqlFamily): string {
  const { precision, scale } = site.column.config
  const name = family === 'postgres' ? 'numeric' : 'decimal'
  if (precision === undefined) {
    if (scale !== undefined) throw new SchemaError(`Column '${where(site)}' gives numeric a scale but no precision: use t.numeric(precision, scale)`)
    return family === 'postgres' ? 'numeric' : 'decimal(65, 30)'
  }
  const p = size(site, 'precision', precision)
  return scale === undefined ? `${name}(${p})` : `${name}(${p}, ${size(site, 'scale', scale)})`
}

function timestamp(site: ColumnSite, family: SqlFamily): string {
  const { precision, withTimezone } = site.column.config
  if (family === 'mysql') return `datetime(${size(site, 'precision', precision ?? 3)})`
  const name = withTimezone === true ? 'timestamptz' : 'timestamp'
  return precision === undefined ? name : `${name}(${size(site, 'precision', precision)})`
}

/** A length, precision or scale, checked: it is written into the SQL as it is. */
function size(site: ColumnSite, what: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new SchemaError(`Column '${where(site)}' has an invalid ${what} (${value}): expected a whole number`)
  return value
}

function where(site: ColumnSite): string {
  return `${site.table.sqlName}.${site.column.sqlName}`
}
