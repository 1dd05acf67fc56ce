/** The `DEFAULT` of a declared column: a literal for a value default, the expression for a SQL default. */
import type { Expression } from 'kysely'
import type { ColumnSite, DdlRules, DefaultLiteral } from '../dialect/ddl-rules.js'
import { SchemaError } from '../errors.js'

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

/**
 * The default of a column, or `undefined` when it has none. JSON values are serialised; dates
 * are written in UTC; the family writes the literal (on MySQL, `text` and `json` defaults are
 * parenthesised expressions, the only form MySQL 8 accepts for them).
 *
 * @example
 * ```ts
 * defaultExpression({ table, column: table.columnsByProperty.get('meta')!, indexed: false }, postgresPlatform.ddl)
 * // '{"tags":[]}'
 * ```
 */
export function defaultExpression(site: ColumnSite, ddl: DdlRules): Expression<unknown> | undefined {
  const declared = site.column.config.default
  if (declared === undefined) return undefined
  if (declared.kind === 'sql') return declared.sql
  return ddl.defaultValue(site, literalValue(site, ddl, declared.value))
}

function literalValue(site: ColumnSite, ddl: DdlRules, value: unknown): DefaultLiteral {
  const { dataType } = site.column.config
  if (value === null) return null
  if (dataType === 'json' || dataType === 'jsonb') return JSON.stringify(value)
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new SchemaError(`Column '${site.table.sqlName}.${site.column.sqlName}' has an invalid date as its default`)
    if (dataType === 'date') return utcDay(value)
    return `${utcDay(value)} ${utcTime(value)}${ddl.timeZoneAware(site.column) ? '+00' : ''}`
  }
  if (['string', 'number', 'bigint', 'boolean'].includes(typeof value)) return value as DefaultLiteral
  throw new SchemaError(
    `Column '${site.table.sqlName}.${site.column.sqlName}' has a default of type ${typeof value}, which cannot be written as a SQL literal: use a SQL default (sql\`...\`)`,
  )
}

function utcDay(date: Date): string {
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`
}

function utcTime(date: Date): string {
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`
}
