/** The `DEFAULT` of a declared column: a literal for a value default, the expression for a SQL default. */
import { sql, type Expression } from 'kysely'
import type { SqlFamily } from '../dialect/dialect.js'
import { SchemaError } from '../errors.js'
import { ddlLiteral } from './ddl-literal.js'
import type { ColumnSite } from './column-type.js'

const pad = (value: number, width = 2): string => String(value).padStart(width, '0')

/**
 * The default of a column, or `undefined` when it has none. JSON values are serialised; dates
 * are written in UTC; on MySQL, `text` and `json` defaults are parenthesised expressions, the only
 * form MySQL 8 accepts for them.
 *
 * @example
 * ```ts
 * defaultExpression({ table, column: table.columnsByProperty.get('meta')!, indexed: false }, 'postgres')
 * // '{"tags":[]}'
 * ```
 */
export function defaultExpression(site: ColumnSite, family: SqlFamily): Expression<unknown> | undefined {
  const declared = site.column.config.default
  if (declared === undefined) return undefined
  if (declared.kind === 'sql') return declared.sql
  const literal = ddlLiteral(literalValue(site, family, declared.value), family)
  const { dataType } = site.column.config
  const expressionOnly = family === 'mysql' && declared.value !== null && (dataType === 'json' || dataType === 'jsonb' || (dataType === 'text' && !site.indexed))
  return expressionOnly ? sql`(${literal})` : literal
}

function literalValue(site: ColumnSite, family: SqlFamily, value: unknown): unknown {
  const { dataType, withTimezone } = site.column.config
  if (value === null) return null
  if (dataType === 'json' || dataType === 'jsonb') return JSON.stringify(value)
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new SchemaError(`Column '${site.table.sqlName}.${site.column.sqlName}' has an invalid date as its default`)
    if (dataType === 'date') return utcDay(value)
    return `${utcDay(value)} ${utcTime(value)}${family === 'postgres' && withTimezone === true ? '+00' : ''}`
  }
  if (['string', 'number', 'bigint', 'boolean'].includes(typeof value)) return value
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
