/** Keyset (seek) reads: the order a keyset walks, the row values it resumes after, and the predicate `(a, b) > (x, y)` written for every direction. */
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely'
import { RelataError } from '../errors.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { stateOf } from '../tracking/entity-state.js'
import { restoredValue, snapshotKind } from '../values/snapshots.js'
import type { ValueRules } from '../values/value-rules.js'
import type { Filter, OrderItem, QueryState } from './query-state.js'

/** The filter a keyset read adds: rows strictly after (or before) `values` in `order`. */
export type KeysetFilter = Extract<Filter, { kind: 'keyset' }>

/**
 * The order a keyset read walks: `requested` (the query's own order when not given), then the
 * primary key columns not in it, so that no two rows tie. Refused, naming the column: a JSON column
 * (no order), a nullable column unless the query filters its nulls out (NULLs sort first on one
 * database and last on another, and `>` never matches them), and a timestamp finer than
 * milliseconds (a JavaScript `Date` cannot hold the value to resume after).
 */
export function keysetOrder(state: QueryState, method: string, requested: readonly OrderItem[] = state.orderBy): OrderItem[] {
  const { table } = state
  const items = [...requested]
  for (const column of table.primaryKey) if (!items.some((item) => item.column === column)) items.push({ column, direction: 'asc' })
  for (const { column } of items) {
    const where = `${method} on '${table.key}' ordered by '${column.property}'`
    const { dataType, nullable, precision } = column.config
    if (dataType === 'json' || dataType === 'jsonb') throw new RelataError(`${where}: a JSON column has no order to resume from`)
    if (nullable && !filtersNulls(state, column)) {
      throw new RelataError(
        `${where}: the column is nullable, and NULLs sort differently per database and never compare with > or <; ` +
          `add where('${column.property}', 'is not', null), or order by a column that cannot be null`,
      )
    }
    if (dataType === 'timestamp' && (precision === undefined || precision > 3)) {
      throw new RelataError(
        `${where}: the timestamp may hold sub-millisecond values that a JavaScript Date cannot resume after; ` +
          `declare it t.timestamp({ precision: 3 }) (or less), or order by another column`,
      )
    }
  }
  return items
}

/** Whether the query keeps only rows where `column` is not null (`where(column, 'is not', null)`). */
function filtersNulls(state: QueryState, column: ColumnModel): boolean {
  return state.filters.some((f) => f.kind === 'compare' && f.column === column && f.value === null && (f.operator === 'is not' || f.operator === '<>' || f.operator === '!='))
}

/**
 * The order values of an object read from the database: as last read (its snapshot), not as the
 * caller may have changed them since, since the next keyset read compares with the rows.
 */
export function keysetValues(entity: object, order: readonly OrderItem[]): unknown[] {
  const state = stateOf(entity)
  return order.map(({ column }) => {
    const index = state?.table.columns.indexOf(column) ?? -1
    if (state?.snapshot !== undefined && index >= 0) return restoredValue(snapshotKind(column), state.snapshot[index])
    return (entity as Record<string, unknown>)[column.property]
  })
}

/** A frozen keyset filter: rows after `values` in `order` (`before`: rows before them); dates sent as the family's `encodeDate` writes them, as in `where()`. */
export function keysetFilter(order: readonly OrderItem[], values: readonly unknown[], rules: ValueRules, before = false): KeysetFilter {
  const { encodeDate } = rules
  const sent = values.map((value) => (value instanceof Date && encodeDate !== undefined ? encodeDate(value) : value))
  return Object.freeze({ kind: 'keyset', order: Object.freeze([...order]), values: Object.freeze(sent), before })
}

/**
 * `(a > x) or (a = x and b > y) or ...`, each column's comparison following its direction (`<`
 * for a descending one, and both flipped for `before`): the one form every database takes for a
 * mixed-direction order (a row-value comparison `(a, b) > (x, y)` needs one direction).
 */
export function keysetPredicate(
  eb: ExpressionBuilder<any, any>,
  filter: KeysetFilter,
  alias: string,
  encode: (column: ColumnModel, value: unknown) => unknown,
): Expression<SqlBool> {
  const { order, values, before } = filter
  const ref = (column: ColumnModel) => `${alias}.${column.sqlName}`
  const branches = order.map((item, i) => {
    const later = (item.direction === 'asc') !== before ? '>' : '<'
    const equal = order.slice(0, i).map((prior, j) => eb(ref(prior.column), '=', encode(prior.column, values[j])))
    const step = eb(ref(item.column), later, encode(item.column, values[i]))
    return equal.length === 0 ? step : eb.and([...equal, step])
  })
  return branches.length === 1 ? branches[0]! : eb.or(branches)
}

/** The order with its directions reversed: `last` / `before` read backwards and turn the page around. */
export function reversed(order: readonly OrderItem[]): OrderItem[] {
  return order.map((item) => ({ column: item.column, direction: item.direction === 'asc' ? 'desc' : 'asc' }))
}

/** A table's order item for a property, or an error naming the table's columns. */
export function orderItemOf(table: TableModel, property: unknown, direction: unknown, method: string): OrderItem {
  const column = typeof property === 'string' ? table.columnsByProperty.get(property) : undefined
  if (column === undefined) {
    throw new RelataError(`${method} on '${table.key}': '${String(property)}' is not a column of '${table.key}' (columns: ${[...table.columnsByProperty.keys()].join(', ')})`)
  }
  if (direction !== 'asc' && direction !== 'desc') throw new RelataError(`${method} on '${table.key}': the direction of '${column.property}' must be 'asc' or 'desc', got ${String(direction)}`)
  return { column, direction }
}
