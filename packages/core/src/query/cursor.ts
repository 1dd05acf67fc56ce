/** Opaque page cursors: a row's order values and key as base64url JSON, tagged with the table and the order, checked when read back. */
import { RelataError } from '../errors.js'
import type { TableModel } from '../schema/model.js'
import type { ValueRules } from '../values/value-rules.js'
import { checkValue } from '../values/write-values.js'
import type { OrderItem } from './query-state.js'

/** Format version: a cursor of another version is refused rather than misread. */
const VERSION = 1

/** The order as a cursor records it: `property` or `-property` for a descending one. */
const orderTag = (order: readonly OrderItem[]): string[] => order.map((item) => (item.direction === 'desc' ? '-' : '') + item.column.property)

/** A value as JSON that says its type: dates and bigints cannot round-trip as plain JSON. */
function encodePart(value: unknown): unknown {
  if (value instanceof Date) return { d: value.getTime() }
  if (typeof value === 'bigint') return { b: value.toString() }
  return value
}

function decodePart(part: unknown): unknown {
  if (typeof part === 'object' && part !== null) {
    const { d, b } = part as { d?: unknown; b?: unknown }
    if (typeof d === 'number' && Object.keys(part).length === 1) return new Date(d)
    if (typeof b === 'string' && /^-?\d+$/.test(b) && Object.keys(part).length === 1) return BigInt(b)
    return undefined
  }
  return part
}

/**
 * The cursor of a row at `values` in `order` of `table`.
 *
 * @example
 * ```ts
 * encodeCursor(table, order, [new Date(0), 7])   // 'eyJ2IjoxLC...'
 * ```
 */
export function encodeCursor(table: TableModel, order: readonly OrderItem[], values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify({ v: VERSION, t: table.key, o: orderTag(order), k: values.map(encodePart) }), 'utf8').toString('base64url')
}

/**
 * The order values a cursor holds, after checking that it was made for this table and order and
 * that each value is one its column holds; any other string is a `RelataError` (a cursor is never
 * trusted as SQL: its values travel as parameters).
 */
export function decodeCursor(table: TableModel, order: readonly OrderItem[], cursor: unknown, rules: ValueRules, name: string): unknown[] {
  const where = `paginate() on '${table.key}': the '${name}' cursor`
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new RelataError(`${where} is not a cursor this query returned (expected a base64url string)`)
  let data: unknown
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw new RelataError(`${where} is not a cursor this query returned (it does not decode)`)
  }
  const { v, t, o, k } = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>
  if (v !== VERSION || typeof t !== 'string' || !Array.isArray(o) || !Array.isArray(k)) throw new RelataError(`${where} is not a cursor this query returned (malformed)`)
  if (t !== table.key) throw new RelataError(`${where} was made for '${t}', not '${table.key}'`)
  const expected = orderTag(order)
  if (o.length !== expected.length || o.some((tag, i) => tag !== expected[i]) || k.length !== order.length) {
    throw new RelataError(`${where} was made for the order ${o.map(String).join(', ')}, and this query orders by ${expected.join(', ')}`)
  }
  return order.map(({ column }, i) => {
    const value = decodePart(k[i])
    if (value === null || value === undefined) throw new RelataError(`${where} holds no valid value for '${column.property}'`)
    try {
      checkValue(table, column, value, rules, true)
    } catch (error) {
      throw new RelataError(`${where} holds a value '${column.property}' cannot hold: ${(error as Error).message}`)
    }
    return value
  })
}
