/** `query.paginate()`: keyset pages (Relay's `first`/`after`, `last`/`before`) with opaque cursors, the primary key breaking ties. */
import { RelataError } from '../errors.js'
import type { ValueRules } from '../values/value-rules.js'
import { decodeCursor, encodeCursor } from './cursor.js'
import { keysetFilter, keysetOrder, keysetValues, orderItemOf, reversed } from './keyset.js'
import type { OrderItem, QueryState } from './query-state.js'

/**
 * A page of `paginate()`: its objects in the query's order, and where it sits (Relay's
 * `PageInfo`, MikroORM's `Cursor`). `startCursor` / `endCursor` are the cursors of the first and
 * last object (`null` for an empty page): pass `endCursor` as `after` for the next page,
 * `startCursor` as `before` for the previous one. Reading forwards, `hasPreviousPage` is whether an
 * `after` cursor was given; reading backwards, `hasNextPage` is whether a `before` cursor was given
 * (as the Relay specification allows): the other flag is exact.
 *
 * @example
 * ```ts
 * const page: Page<{ id: number }> = await session.query('books').paginate({ first: 20 })
 * if (page.pageInfo.hasNextPage) await session.query('books').paginate({ first: 20, after: page.pageInfo.endCursor! })
 * ```
 */
export interface Page<T> {
  readonly items: T[]
  readonly pageInfo: {
    readonly hasNextPage: boolean
    readonly hasPreviousPage: boolean
    readonly startCursor: string | null
    readonly endCursor: string | null
  }
}

/**
 * What `paginate()` takes: `first` (with `after`) reads forwards, `last` (with `before`)
 * backwards; `orderBy`, the columns to order by (`'name'` or `['name', 'desc']`), else the query's
 * `orderBy()`; the primary key always ends the order.
 *
 * @example
 * ```ts
 * const options: PaginateOptions<'title' | 'id'> = { first: 20, orderBy: [['title', 'desc']] }
 * ```
 */
export type PaginateOptions<C extends string = string> = (
  | { readonly first: number; readonly after?: string | null; readonly last?: never; readonly before?: never }
  | { readonly last: number; readonly before?: string | null; readonly first?: never; readonly after?: never }
) & { readonly orderBy?: readonly (C | readonly [C, 'asc' | 'desc'])[] }

/** What a page reads with: the session's query runner. */
export interface PageRunner {
  all(state: QueryState): Promise<object[]>
}

const KNOWN = new Set(['first', 'after', 'last', 'before', 'orderBy'])

function pageSize(state: QueryState, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RelataError(`paginate() on '${state.table.key}': ${name} must be a non-negative integer, got ${String(value)}`)
  }
  return value
}

/** The order a page uses: `options.orderBy`, or the query's order; both at once is refused (which would win?). */
function requestedOrder(state: QueryState, orderBy: unknown): readonly OrderItem[] {
  if (orderBy === undefined) return state.orderBy
  if (!Array.isArray(orderBy)) throw new RelataError(`paginate() on '${state.table.key}': orderBy must be an array of columns or [column, direction] pairs`)
  if (state.orderBy.length > 0) throw new RelataError(`paginate() on '${state.table.key}': the query is already ordered with orderBy(); give the order once, there or in paginate({ orderBy })`)
  return orderBy.map((entry: unknown) => (Array.isArray(entry) ? orderItemOf(state.table, entry[0], entry[1], 'paginate()') : orderItemOf(state.table, entry, 'asc', 'paginate()')))
}

/**
 * One page of `state`: `size + 1` rows are read after (or before) the cursor's values, so that
 * the extra row tells whether more follow; a backward page is read in the reversed order and
 * turned around. The query's own `limit` and `offset` are refused: the cursor is the position.
 */
export async function paginate(state: QueryState, options: unknown, runner: PageRunner, rules: ValueRules): Promise<Page<object>> {
  const where = `paginate() on '${state.table.key}'`
  if (typeof options !== 'object' || options === null) throw new RelataError(`${where}: expects { first, after? } or { last, before? }`)
  const given = options as Record<string, unknown>
  const unknown = Object.keys(given).filter((k) => !KNOWN.has(k))
  if (unknown.length > 0) throw new RelataError(`${where}: unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: first, after, last, before, orderBy)`)
  const forward = given.first !== undefined
  if (forward === (given.last !== undefined)) throw new RelataError(`${where}: give either first (with after) or last (with before)`)
  if (forward ? given.before != null : given.after != null) throw new RelataError(`${where}: ${forward ? 'before goes with last' : 'after goes with first'}`)
  if (state.limit !== undefined || state.offset !== undefined) throw new RelataError(`${where}: the query has limit() or offset(); a page is given by first/last and its cursor`)
  const size = pageSize(state, forward ? 'first' : 'last', forward ? given.first : given.last)
  const cursorName = forward ? 'after' : 'before'
  const cursor = given[cursorName]
  const order = keysetOrder(state, 'paginate()', requestedOrder(state, given.orderBy))
  const read = forward ? order : reversed(order)
  const filters = cursor == null ? state.filters : [...state.filters, keysetFilter(read, decodeCursor(state.table, order, cursor, rules, cursorName), rules)]
  const rows = await runner.all(Object.freeze({ ...state, filters, orderBy: read, limit: size + 1 }))
  const more = rows.length > size
  const items = rows.slice(0, size)
  if (!forward) items.reverse()
  const cursorOf = (entity: object | undefined) => (entity === undefined ? null : encodeCursor(state.table, order, keysetValues(entity, order)))
  return {
    items,
    pageInfo: {
      hasNextPage: forward ? more : cursor != null,
      hasPreviousPage: forward ? cursor != null : more,
      startCursor: cursorOf(items[0]),
      endCursor: cursorOf(items[items.length - 1]),
    },
  }
}
