/** Compiles a query's filters and order into Kysely expressions against an aliased table. */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { encodeValue as encodeColumnValue } from '../values/write-values.js'
import { keysetPredicate } from './keyset.js'
import { renameToSql } from './property-names.js'
import type { Filter, OrderItem } from './query-state.js'
import { compileRelationFilter } from './relation-filters.js'

const alwaysFalse = sql<SqlBool>`1 = 0`
const alwaysTrue = sql<SqlBool>`1 = 1`

/**
 * A filter value as the driver takes it, encoded as a written value is; a `real` one at single
 * precision, as the column holds it (MySQL would compare the column with a double).
 */
export function filterParameter(column: ColumnModel, value: unknown): unknown {
  if (column.config.dataType === 'real' && typeof value === 'number' && !Object.is(value, -0)) return Math.fround(value)
  return encodeColumnValue(column, value)
}

export function compileFilter(eb: ExpressionBuilder<any, any>, filter: Filter, table: TableModel, alias: string): Expression<SqlBool> {
  if (filter.kind === 'expression') return renameToSql(filter.build(eb), table, alias)
  if (filter.kind === 'keyset') return keysetPredicate(eb, filter, alias, filterParameter)
  if (filter.kind === 'relation') return compileRelationFilter(eb, filter, alias, compileFilters)
  const { column, operator, value } = filter
  const ref = `${alias}.${column.sqlName}`
  if (value === null && (operator === '=' || operator === 'is')) return eb(ref, 'is', null)
  if (value === null && (operator === '<>' || operator === '!=' || operator === 'is not')) return eb(ref, 'is not', null)
  if (operator === 'in' || operator === 'not in') {
    const list = value as readonly unknown[]
    const values = list.filter((v) => v !== null && v !== undefined).map((v) => filterParameter(column, v))
    // A null in the list means IS NULL, as where({ column: null }) does (SQL's IN never matches NULL).
    const withNull = values.length < list.length
    const compared =
      values.length === 0 ? (operator === 'in' ? alwaysFalse : alwaysTrue) : filter.asOneParameter ? filter.asOneParameter(ref, operator, column, values) : eb(ref, operator, values)
    if (!withNull) return compared
    return operator === 'in' ? eb.or([compared, eb(ref, 'is', null)]) : eb.and([compared, eb(ref, 'is not', null)])
  }
  return eb(ref, operator, filterParameter(column, value))
}

export function compileFilters(eb: ExpressionBuilder<any, any>, filters: readonly Filter[], table: TableModel, alias: string): Expression<SqlBool>[] {
  return filters.map((filter) => compileFilter(eb, filter, table, alias))
}

/** `ORDER BY` items for a table alias: the requested ones, then the primary key so that order is never the database's whim. */
export function orderItems(order: readonly OrderItem[], table: TableModel): OrderItem[] {
  const items = [...order]
  for (const column of table.primaryKey) {
    if (!items.some((item) => item.column === column)) items.push({ column, direction: 'asc' })
  }
  return items
}
