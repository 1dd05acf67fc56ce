/**
 * Aggregates over a query's rows: `groupBy(...)`, `aggregate((fn) => ({ n: fn.count(), ... }))`,
 * `having`, order and page; the statement they compile to, and the plain rows it returns, decoded.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { StatementRules } from '../dialect/statement-rules.js'
import { RelataError } from '../errors.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import type { ValueRules } from '../values/value-rules.js'
import { compileFilters } from './filters.js'
import { countValue } from './relation-counts.js'
import type { QueryState } from './query-state.js'

/** The aggregate functions. */
export type AggregateKind = 'count' | 'countDistinct' | 'sum' | 'avg' | 'min' | 'max'

/** One aggregate as `fn.sum('milliseconds')` returns it: plain data, typed by its result. */
export interface AggregateItem {
  readonly kind: AggregateKind
  /** `undefined` for `count()`: every row. */
  readonly column?: ColumnModel
}

/** A `having()` condition on a group column or an aggregate, by its name in the result. */
export interface HavingItem {
  readonly name: string
  readonly operator: HavingOperator
  readonly value: unknown
}

/**
 * The comparisons `having()` takes.
 *
 * @example
 * ```ts
 * await session.query('albums').groupBy('artistId').aggregate((fn) => ({ n: fn.count() })).having('n', '>=', 10).all()
 * ```
 */
export type HavingOperator = '=' | '<>' | '<' | '<=' | '>' | '>='
const havingOperators: ReadonlySet<string> = new Set<HavingOperator>(['=', '<>', '<', '<=', '>', '>='])

/** What an aggregate query selects, filters after grouping, orders and pages. */
export interface AggregatePlan {
  readonly groupBy: readonly ColumnModel[]
  readonly aggregates: readonly { readonly name: string; readonly item: AggregateItem }[]
  readonly having: readonly HavingItem[]
  readonly orderBy: readonly { readonly name: string; readonly direction: 'asc' | 'desc' }[]
  readonly limit?: number
  readonly offset?: number
}

/** Runs an aggregate plan over a query's rows; the session provides it. */
export interface AggregateRunner {
  aggregate(state: QueryState, plan: AggregatePlan): Promise<Record<string, unknown>[]>
}

const numericTypes: ReadonlySet<string> = new Set(['serial', 'integer', 'bigint', 'numeric', 'real', 'double'])
const integerTypes: ReadonlySet<string> = new Set(['serial', 'integer'])
const unordered: ReadonlySet<string> = new Set(['json', 'jsonb', 'boolean'])

function columnOf(table: TableModel, property: unknown, method: string): ColumnModel {
  const column = typeof property === 'string' ? table.columnsByProperty.get(property) : undefined
  if (column === undefined) {
    throw new RelataError(`${method} on '${table.key}': '${String(property)}' is not a column of '${table.key}' (columns: ${[...table.columnsByProperty.keys()].join(', ')})`)
  }
  return column
}

/** The `fn` handed to `aggregate()`'s callback: each function checks its column against the table. */
export function aggregateFunctions(table: TableModel) {
  const numeric = (kind: 'sum' | 'avg') => (property: string): AggregateItem => {
    const column = columnOf(table, property, `${kind}('${property}')`)
    if (!numericTypes.has(column.config.dataType)) {
      throw new RelataError(`${kind}('${property}') on '${table.key}': ${table.sqlName}.${column.sqlName} is ${column.config.dataType}, not a number`)
    }
    return aggregate({ kind, column })
  }
  const ordered = (kind: 'min' | 'max') => (property: string): AggregateItem => {
    const column = columnOf(table, property, `${kind}('${property}')`)
    if (unordered.has(column.config.dataType)) throw new RelataError(`${kind}('${property}') on '${table.key}': ${table.sqlName}.${column.sqlName} is ${column.config.dataType}, which has no order`)
    return aggregate({ kind, column })
  }
  return Object.freeze({
    count: (property?: string): AggregateItem =>
      property === undefined ? aggregate({ kind: 'count' }) : aggregate({ kind: 'count', column: columnOf(table, property, `count('${property}')`) }),
    countDistinct: (property: string): AggregateItem => aggregate({ kind: 'countDistinct', column: columnOf(table, property, `countDistinct('${property}')`) }),
    sum: numeric('sum'),
    avg: numeric('avg'),
    min: ordered('min'),
    max: ordered('max'),
  })
}

/** The aggregates `fn` made: an object that merely looks like one is refused. */
const made = new WeakSet<object>()
const isAggregate = (value: unknown): value is AggregateItem => typeof value === 'object' && value !== null && made.has(value)
const aggregate = (item: AggregateItem): AggregateItem => {
  const frozen = Object.freeze(item)
  made.add(frozen)
  return frozen
}

/** The plan of `groupBy(...).aggregate(build)`, checked: names unique, the query only filters. */
export function aggregatePlan(state: QueryState, groupBy: readonly ColumnModel[], build: unknown): AggregatePlan {
  const { table } = state
  const where = `aggregate() on '${table.key}'`
  const extra = [
    state.orderBy.length > 0 && 'orderBy() (order the aggregate rows: call orderBy() after aggregate())',
    (state.limit !== undefined || state.offset !== undefined) && 'limit() / offset() (page the aggregate rows: call them after aggregate())',
    state.with.length > 0 && 'with()',
    state.counts !== undefined && 'withCount()',
    state.lock !== undefined && 'a lock',
    state.populateExisting === true && 'populateExisting()',
  ].filter((e): e is string => typeof e === 'string')
  if (extra.length > 0) throw new RelataError(`${where}: returns plain rows over the query's filters; remove ${extra.join(', ')}`)
  if (typeof build !== 'function') throw new RelataError(`${where}: expects a callback such as (fn) => ({ n: fn.count() })`)
  const spec = (build as (fn: unknown) => unknown)(aggregateFunctions(table))
  if (typeof spec !== 'object' || spec === null) throw new RelataError(`${where}: the callback must return an object of aggregates`)
  const aggregates: { name: string; item: AggregateItem }[] = []
  for (const [name, item] of Object.entries(spec)) {
    if (!isAggregate(item)) throw new RelataError(`${where}: '${name}' is not an aggregate (use fn.count(), fn.sum(column), ...)`)
    if (groupBy.some((c) => c.property === name)) throw new RelataError(`${where}: '${name}' names a grouped column too; choose another name`)
    aggregates.push({ name, item })
  }
  if (aggregates.length === 0 && groupBy.length === 0) throw new RelataError(`${where}: name at least one aggregate`)
  return Object.freeze({ groupBy, aggregates, having: [], orderBy: [] })
}

/** `groupBy()`'s columns, checked. */
export function groupColumns(table: TableModel, properties: readonly unknown[]): ColumnModel[] {
  if (properties.length === 0) throw new RelataError(`groupBy() on '${table.key}': name at least one column`)
  const columns = properties.map((p) => columnOf(table, p, `groupBy('${String(p)}')`))
  return [...new Set(columns)]
}

/** A name of the result (a grouped column or an aggregate), for `having()` and `orderBy()`. */
export function checkResultName(plan: AggregatePlan, name: unknown, method: string, table: TableModel): string {
  const names = [...plan.groupBy.map((c) => c.property), ...plan.aggregates.map((a) => a.name)]
  if (typeof name !== 'string' || !names.includes(name)) throw new RelataError(`${method} on '${table.key}': '${String(name)}' is not in the result (names: ${names.join(', ')})`)
  return name
}

export function checkHaving(plan: AggregatePlan, name: unknown, operator: unknown, value: unknown, table: TableModel): HavingItem {
  const checked = checkResultName(plan, name, 'having()', table)
  if (typeof operator !== 'string' || !havingOperators.has(operator)) {
    throw new RelataError(`having('${checked}', ...) on '${table.key}': ${JSON.stringify(String(operator))} is not a comparison (operators: ${[...havingOperators].join(', ')})`)
  }
  if (value === undefined || value === null) throw new RelataError(`having('${checked}', '${operator}', ...) on '${table.key}': compares with a value, not ${String(value)}`)
  return Object.freeze({ name: checked, operator: operator as HavingOperator, value })
}

function aggregateSql(item: AggregateItem, alias: string): RawBuilder<unknown> {
  if (item.column === undefined) return sql`count(*)`
  const ref = sql.ref(`${alias}.${item.column.sqlName}`)
  return item.kind === 'countDistinct' ? sql`count(distinct ${ref})` : sql`${sql.raw(item.kind)}(${ref})`
}

const ALIAS = 't0'
const groupKey = (i: number) => `__g${i}`
const aggregateKey = (i: number) => `__a${i}`

/** `select <group columns>, <aggregates> from t as t0 where ... group by ... having ... order by ...`. */
export function aggregateQuery(db: Kysely<any>, state: QueryState, plan: AggregatePlan, statements: StatementRules) {
  const { table } = state
  const expressionOf = (name: string): RawBuilder<unknown> => {
    const g = plan.groupBy.findIndex((c) => c.property === name)
    if (g !== -1) return sql.ref(`${ALIAS}.${plan.groupBy[g]!.sqlName}`)
    return aggregateSql(plan.aggregates.find((a) => a.name === name)!.item, ALIAS)
  }
  let query = db
    .selectFrom(`${table.sqlName} as ${ALIAS}`)
    .select([
      ...plan.groupBy.map((c, i) => sql.ref(`${ALIAS}.${c.sqlName}`).as(groupKey(i))),
      ...plan.aggregates.map((a, i) => aggregateSql(a.item, ALIAS).as(aggregateKey(i))),
    ])
  if (state.filters.length > 0) query = query.where((eb) => eb.and(compileFilters(eb, state.filters, table, ALIAS)))
  if (plan.groupBy.length > 0) query = query.groupBy(plan.groupBy.map((c) => `${ALIAS}.${c.sqlName}`))
  if (plan.having.length > 0) {
    query = query.having((eb) => eb.and(plan.having.map((h) => eb(expressionOf(h.name), h.operator, h.value))))
  }
  // The groups' own order breaks ties, so that pages are stable.
  const order = [...plan.orderBy]
  for (const column of plan.groupBy) if (!order.some((o) => o.name === column.property)) order.push({ name: column.property, direction: 'asc' })
  for (const item of order) query = query.orderBy(expressionOf(item.name), item.direction)
  return statements.page(query, plan.limit, plan.offset)
}

/** The rows of `aggregateQuery` as plain objects, by name, each value decoded (see `AggregateValue`). */
export function aggregateRows(table: TableModel, plan: AggregatePlan, rows: readonly Record<string, unknown>[], rules: ValueRules): Record<string, unknown>[] {
  const groupDecoders = plan.groupBy.map((c) => rules.rowDecoder(c))
  const decoders = plan.aggregates.map((a) => aggregateDecoder(table, a.name, a.item, rules))
  return rows.map((row) => {
    const out: Record<string, unknown> = {}
    plan.groupBy.forEach((column, i) => {
      const raw = row[groupKey(i)] ?? null
      out[column.property] = raw === null || groupDecoders[i] === undefined ? raw : groupDecoders[i]!(raw)
    })
    plan.aggregates.forEach((a, i) => {
      const raw = row[aggregateKey(i)] ?? null
      out[a.name] = raw === null && a.item.kind !== 'count' && a.item.kind !== 'countDistinct' ? null : decoders[i]!(raw)
    })
    return out
  })
}

/**
 * Counts as numbers; `sum` of a number column as a number (an integer sum beyond
 * Number.MAX_SAFE_INTEGER is an error, never rounded), of a bigint column as a bigint, of a numeric
 * column as its decimal text; `avg` of a real or double or integer column as a number, of a bigint
 * or numeric column as decimal text; `min` and `max` as the column's own values.
 */
function aggregateDecoder(table: TableModel, name: string, item: AggregateItem, rules: ValueRules): (value: unknown) => unknown {
  const where = `aggregate() on '${table.key}': '${name}'`
  const column = item.column
  if (item.kind === 'count' || item.kind === 'countDistinct') return (v) => countValue(v, where)
  const type = column!.config.dataType
  if (item.kind === 'min' || item.kind === 'max') {
    const decode = rules.rowDecoder(column!)
    return decode ?? ((v) => v)
  }
  if (type === 'numeric' || (item.kind === 'avg' && type === 'bigint')) return (v) => String(v)
  if (type === 'bigint') return (v) => (typeof v === 'bigint' ? v : BigInt(String(v)))
  return (v) => {
    const n = typeof v === 'number' ? v : Number(v)
    if (item.kind === 'sum' && integerTypes.has(type) && !Number.isSafeInteger(n)) {
      throw new RelataError(`${where}: the sum ${String(v)} is beyond Number.MAX_SAFE_INTEGER; declare the column t.bigint() to read it exactly`)
    }
    return n
  }
}
