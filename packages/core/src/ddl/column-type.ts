/** The SQL data type of a declared column: its sizes checked here, its name from the family's DDL rules. */
import type { Expression } from 'kysely'
import type { ColumnSite, DdlRules } from '../dialect/ddl-rules.js'
import { SchemaError } from '../errors.js'

/**
 * The data type of a column in `CREATE TABLE`, after checking the length, precision and scale it
 * declares (they are written into the SQL as they are). On MySQL an indexed `text` column becomes
 * `varchar(255)` (a `TEXT` cannot be a key), `uuid` is `char(36)` and an enum is a native `ENUM`;
 * on PostgreSQL an enum is `text` plus the check constraint added by `createTableQuery`.
 *
 * @example
 * ```ts
 * columnType({ table, column: table.columnsByProperty.get('price')!, indexed: false }, mysqlPlatform.ddl)   // decimal(10, 2)
 * ```
 */
export function columnType(site: ColumnSite, ddl: DdlRules): Expression<unknown> {
  const { dataType, length, precision, scale } = site.column.config
  if (dataType === 'varchar' && length !== undefined) checkSize(site, 'length', length)
  if (dataType === 'numeric') {
    if (precision === undefined && scale !== undefined) {
      throw new SchemaError(`Column '${where(site)}' gives numeric a scale but no precision: use t.numeric(precision, scale)`)
    }
    if (precision !== undefined) checkSize(site, 'precision', precision)
    if (precision !== undefined && scale !== undefined) checkSize(site, 'scale', scale)
  }
  if (dataType === 'timestamp' && precision !== undefined) checkSize(site, 'precision', precision)
  return ddl.columnType(site)
}

/** A length, precision or scale is a whole number. */
function checkSize(site: ColumnSite, what: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw new SchemaError(`Column '${where(site)}' has an invalid ${what} (${value}): expected a whole number`)
}

function where(site: ColumnSite): string {
  return `${site.table.sqlName}.${site.column.sqlName}`
}
