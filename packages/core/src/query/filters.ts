/** Compiles a query's filters and order into Kysely expressions against an aliased table. */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import type { TableModel } from '../schema/model.js'
import { renameToSql } from './property-names.js'
import type { Filter, OrderItem } from './query-state.js'

const alwaysFalse = sql<SqlBool>`1 = 0`
const alwaysTrue = sql<SqlBool>`1 = 1`

function encodeValue(dataType: string, value: unknown): unknown {
  return (dataType === 'json' || dataType === 'jsonb') && value !== null ? JSON.stringify(value) : value
}

export function compileFilter(eb: ExpressionBuilder<any, any>, filter: Filter, table: TableModel, alias: string): Expression<SqlBool> {
  if (filter.kind === 'expression') return renameToSql(filter.build(eb), table, alias)
  const { column, operator, value } = filter
  const ref = `${alias}.${column.sqlName}`
  if (value === null && (operator === '=' || operator === 'is')) return eb(ref, 'is', null)
  if (value === null && (operator === '<>' || operator === '!=' || operator === 'is not')) return eb(ref, 'is not', null)
  if (operator === 'in' || operator === 'not in') {
    const values = (value as readonly unknown[]).map((v) => encodeValue(column.config.dataType, v))
    if (values.length === 0) return operator === 'in' ? alwaysFalse : alwaysTrue
    return eb(ref, operator, values)
  }
  return eb(ref, operator, encodeValue(column.config.dataType, value))
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
