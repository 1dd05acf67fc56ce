/** The immutable query builder behind `session.query()` and `.with()` callbacks: each method returns a new query. */
import { RelataError, MultipleResultsError, NotFoundError } from '../errors.js'
import type { LoadStrategy } from '../schema/relations.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import { commonValueRules, type ValueRules } from '../values/value-rules.js'
import { checkValue } from '../values/write-values.js'
import { comparisonOperators, emptyQueryState, type ComparisonOperator, type Filter, type QueryState, type WithItem } from './query-state.js'
import type { RowLock } from '../dialect/statement-rules.js'
import { paginate, type Page } from './paginate.js'
import { batchSizeOf, streamQuery, type StreamScope } from './query-stream.js'
import { AggregateBuilder, GroupedBuilder } from './aggregate-builder.js'
import { groupColumns, type AggregateRunner } from './aggregate-query.js'
import { countItems } from './relation-counts.js'
import { readRelationFilter } from './relation-filters.js'
import { subsetColumns, type SubsetMethod } from './column-subsets.js'

/** Runs a query's state; the session provides it. */
export interface QueryRunner extends AggregateRunner {
  all(state: QueryState): Promise<object[]>
  count(state: QueryState): Promise<number>
  /** The database family's value rules, for the checks and encoding of filter values that depend on it. */
  readonly valueRules?: ValueRules
  /** A stream starts: the session lets go of each batch once the next is read (query-stream.ts). */
  openStream?(): StreamScope
}

const patternOperators: ReadonlySet<string> = new Set(['like', 'not like', 'ilike', 'not ilike'])
const textTypes: ReadonlySet<string> = new Set(['text', 'varchar', 'enum', 'uuid'])
const jsonOperators: ReadonlySet<string> = new Set(['=', '<>', '!=', 'in', 'not in', 'is', 'is not'])

/**
 * Checks a `where()` comparison before any SQL: the operator suits the column, and each value is
 * one the column could hold (so it is sent as a parameter the database accepts, and a value that
 * round-trips through the column is found by it).
 */
function checkComparison(table: TableModel, column: ColumnModel, operator: ComparisonOperator, value: unknown, rules: ValueRules): void {
  const where = `where('${column.property}', '${operator}', ...) on '${table.key}'`
  const { dataType } = column.config
  if (operator === 'is' || operator === 'is not') {
    if (value !== null) throw new RelataError(`${where}: '${operator}' compares with null only; use '=' or '<>' for other values`)
    return
  }
  if (patternOperators.has(operator)) {
    if (!textTypes.has(dataType)) throw new RelataError(`${where}: '${operator}' applies to text columns, ${table.sqlName}.${column.sqlName} is ${dataType}`)
  }
  if ((dataType === 'json' || dataType === 'jsonb') && !jsonOperators.has(operator)) {
    throw new RelataError(`${where}: a JSON column is compared with =, <>, in or is null only`)
  }
  // What the family cannot compare (ilike on MySQL, json on PostgreSQL).
  const refused = rules.comparisonProblem?.(table, column, operator)
  if (refused !== undefined) throw new RelataError(`${where}: ${refused}`)
  const values = operator === 'in' || operator === 'not in' ? (value as readonly unknown[]) : [value]
  for (let i = 0; i < values.length; i++) {
    // A missing value would drop the condition (or, in a list, match nothing): never a filter.
    if (values[i] === undefined) throw new RelataError(`${where}: ${values === value ? `the value at index ${i} is` : 'the value is'} undefined; use null to compare with NULL`)
    checkValue(table, column, values[i], rules, true)
  }
}

/** `limit()` and `offset()` take a count the database can hold exactly: a non-negative safe integer. */
function checkCount(count: unknown, method: string, table: TableModel): number {
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    const shown = typeof count === 'bigint' ? `${count}n` : typeof count === 'string' ? JSON.stringify(count) : String(count)
    throw new RelataError(`${method}() on '${table.key}': expects a non-negative integer up to Number.MAX_SAFE_INTEGER, got ${shown}`)
  }
  return count
}

/** Dates travel as the family's `encodeDate` makes them, as written values do (PostgreSQL: UTC literals). */
function filterValue(value: unknown, rules: ValueRules): unknown {
  const { encodeDate } = rules
  if (encodeDate === undefined) return value
  if (value instanceof Date) return encodeDate(value)
  return Array.isArray(value) ? value.map((each: unknown) => (each instanceof Date ? encodeDate(each) : each)) : value
}

function columnOf(table: TableModel, property: unknown, where: string) {
  const column = typeof property === 'string' ? table.columnsByProperty.get(property) : undefined
  if (column === undefined) {
    throw new RelataError(`${where}: '${String(property)}' is not a column of '${table.key}' (columns: ${[...table.columnsByProperty.keys()].join(', ')})`)
  }
  return column
}

function checkStrategy(strategy: unknown, where: string): LoadStrategy {
  if (strategy !== 'join' && strategy !== 'selectIn') throw new RelataError(`${where}: strategy must be 'join' or 'selectIn', got ${String(strategy)}`)
  return strategy
}

export class QueryBuilder {
  readonly #state: QueryState
  readonly #runner: QueryRunner | undefined
  /** The family's value rules, also for relation queries built inside `.with()`, which have no runner. */
  readonly #rules: ValueRules

  constructor(state: QueryState, runner?: QueryRunner, rules: ValueRules = runner?.valueRules ?? commonValueRules) {
    this.#state = state
    this.#runner = runner
    this.#rules = rules
  }

  /** @internal */
  get state(): QueryState {
    return this.#state
  }

  #with(patch: Partial<QueryState>): QueryBuilder {
    return new QueryBuilder(Object.freeze({ ...this.#state, ...patch }), this.#runner, this.#rules)
  }

  where(...args: unknown[]): QueryBuilder {
    const table = this.#state.table
    const filters: Filter[] = []
    const [first, operator, value] = args
    if (typeof first === 'function') {
      filters.push({ kind: 'expression', build: first as Extract<Filter, { kind: 'expression' }>['build'] })
    } else if (typeof first === 'string') {
      if (typeof operator !== 'string' || !comparisonOperators.has(operator.toLowerCase())) {
        throw new RelataError(`where('${first}', ...) on '${table.key}': ${JSON.stringify(String(operator))} is not a comparison operator (operators: ${[...comparisonOperators].join(', ')})`)
      }
      const op = operator.toLowerCase() as ComparisonOperator
      if ((op === 'in' || op === 'not in') && !Array.isArray(value)) throw new RelataError(`where('${first}', '${op}', ...) on '${table.key}': expects an array of values`)
      const column = columnOf(table, first, 'where()')
      checkComparison(table, column, op, value, this.#rules)
      const long = this.#rules.longInList
      const asOneParameter = long !== undefined && Array.isArray(value) && value.length > long.from ? long.compare : undefined
      filters.push({ kind: 'compare', column, operator: op, value: filterValue(value, this.#rules), ...(asOneParameter ? { asOneParameter } : {}) })
    } else if (typeof first === 'object' && first !== null) {
      for (const [property, v] of Object.entries(first)) {
        const relation = table.relations.get(property)
        if (relation !== undefined) {
          filters.push(...readRelationFilter(table, relation, v, (target, spec, where) => this.#nested(target, spec, where)))
          continue
        }
        const column = columnOf(table, property, 'where()')
        if (v === undefined) {
          throw new RelataError(`where({ ${property}: undefined }) on '${table.key}': a filter value cannot be undefined (it would match every row); leave the property out, or use null to compare with NULL`)
        }
        checkComparison(table, column, '=', v, this.#rules)
        filters.push({ kind: 'compare', column, operator: '=', value: filterValue(v, this.#rules) })
      }
    } else {
      throw new RelataError(`where() on '${table.key}': expects an object of values, a column with an operator and value, or a callback`)
    }
    return this.#with({ filters: [...this.#state.filters, ...filters] })
  }

  whereRelated(name: unknown, build: unknown): QueryBuilder {
    const table = this.#state.table
    const relation = typeof name === 'string' ? table.relations.get(name) : undefined
    if (relation === undefined) {
      throw new RelataError(`whereRelated(): '${String(name)}' is not a relation of '${table.key}' (relations: ${[...table.relations.keys()].join(', ') || 'none'})`)
    }
    if (typeof build !== 'function') throw new RelataError(`whereRelated('${relation.name}') on '${table.key}': expects a callback (q) => q.where(...)`)
    return this.where({ [relation.name]: relation.toOne ? build : { some: build } })
  }

  /** The filters of a relation filter's nested object or callback, on the related table. */
  #nested(target: TableModel, spec: object, where: string): readonly Filter[] {
    const empty = new QueryBuilder(emptyQueryState(target), undefined, this.#rules)
    if (typeof spec !== 'function') return empty.where(spec).state.filters
    const built: unknown = (spec as (q: QueryBuilder) => unknown)(empty)
    if (!(built instanceof QueryBuilder)) throw new RelataError(`${where}: the callback must return the query it was given`)
    const { state } = built
    if (state.orderBy.length > 0 || state.limit !== undefined || state.offset !== undefined || state.with.length > 0 || state.strategy !== undefined || state.columns !== undefined) {
      throw new RelataError(`${where}: a relation filter's callback only filters (where); order, pages, columns and loads mean nothing in it`)
    }
    return state.filters
  }

  orderBy(property: string, direction: 'asc' | 'desc' = 'asc'): QueryBuilder {
    if (direction !== 'asc' && direction !== 'desc') throw new RelataError(`orderBy('${property}'): direction must be 'asc' or 'desc'`)
    const via = this.#state.via
    if (via !== undefined && typeof property === 'string' && property.startsWith('via.') && !this.#state.table.columnsByProperty.has(property)) {
      // A column of the link table of the many-to-many this query loads.
      const column = columnOf(via, property.slice(4), `orderBy('${property}')`)
      return this.#with({ orderBy: [...this.#state.orderBy, { column, direction, link: true }] })
    }
    const column = columnOf(this.#state.table, property, 'orderBy()')
    return this.#with({ orderBy: [...this.#state.orderBy, { column, direction }] })
  }

  limit(count: number): QueryBuilder {
    return this.#with({ limit: checkCount(count, 'limit', this.#state.table) })
  }

  offset(count: number): QueryBuilder {
    return this.#with({ offset: checkCount(count, 'offset', this.#state.table) })
  }

  strategy(strategy: LoadStrategy): QueryBuilder {
    return this.#with({ strategy: checkStrategy(strategy, `strategy() on '${this.#state.table.key}'`) })
  }

  untracked(): QueryBuilder {
    return this.#with({ untracked: true })
  }

  forUpdate(options?: LockOptions): QueryBuilder {
    return this.#with({ lock: rowLock('update', options, this.#state.table) })
  }

  forShare(options?: LockOptions): QueryBuilder {
    return this.#with({ lock: rowLock('share', options, this.#state.table) })
  }

  select(...columns: unknown[]): QueryBuilder {
    return this.#columns('select', columns)
  }

  omit(...columns: unknown[]): QueryBuilder {
    return this.#columns('omit', columns)
  }

  undefer(...columns: unknown[]): QueryBuilder {
    return this.#columns('undefer', columns)
  }

  #columns(method: SubsetMethod, names: readonly unknown[]): QueryBuilder {
    return this.#with({ columns: subsetColumns(this.#state.table, method, names, this.#state.columnsBy), columnsBy: method })
  }

  populateExisting(): QueryBuilder {
    return this.#with({ populateExisting: true })
  }

  with(spec: Record<string, unknown>): QueryBuilder {
    return this.#with({ with: mergeWithItems(this.#state.with, withItems(this.#state.table, spec, this.#rules)) })
  }

  withCount(...args: unknown[]): QueryBuilder {
    const filtersOf = (relation: { target: TableModel; source: TableModel; name: string }, callback: (query: unknown) => unknown) => {
      const built = callback(new QueryBuilder(emptyQueryState(relation.target), undefined, this.#rules))
      if (!(built instanceof QueryBuilder)) throw new RelataError(`withCount(): the callback for '${relation.source.key}.${relation.name}' must return the query it was given`)
      const { state } = built
      if (state.orderBy.length > 0 || state.with.length > 0 || state.limit !== undefined || state.offset !== undefined || state.strategy !== undefined || state.counts !== undefined || state.columns !== undefined) {
        throw new RelataError(`withCount(): the callback for '${relation.source.key}.${relation.name}' may only filter the related rows (where)`)
      }
      return state.filters
    }
    return this.#with({ counts: countItems(this.#state.table, this.#state.counts, args, filtersOf) })
  }

  groupBy(...columns: unknown[]): GroupedBuilder {
    return new GroupedBuilder(this.#state, groupColumns(this.#state.table, columns), this.#runner)
  }

  aggregate(build: unknown): AggregateBuilder {
    return new GroupedBuilder(this.#state, [], this.#runner).aggregate(build)
  }

  async all(): Promise<object[]> {
    return this.#run().all(this.#state)
  }

  async first(): Promise<object | undefined> {
    const rows = await this.#run().all(Object.freeze({ ...this.#state, limit: 1 }))
    return rows[0]
  }

  async one(): Promise<object> {
    const rows = await this.#run().all(Object.freeze({ ...this.#state, limit: 2 }))
    if (rows.length === 0) throw new NotFoundError(`one(): no '${this.#state.table.key}' matched`)
    if (rows.length > 1) throw new MultipleResultsError(`one(): more than one '${this.#state.table.key}' matched`)
    return rows[0]!
  }

  stream(options?: unknown): AsyncGenerator<object, void, undefined> {
    return streamQuery(this.#state, batchSizeOf(this.#state, options), this.#run(), this.#rules)
  }

  paginate(options: unknown): Promise<Page<object>> {
    return paginate(this.#state, options, this.#run(), this.#rules)
  }

  count(): Promise<number> {
    if (this.#state.lock !== undefined) {
      throw new RelataError(`count() on '${this.#state.table.key}': a locked query cannot be counted (the database locks rows, not a count); run all() to lock the rows`)
    }
    return this.#run().count(this.#state)
  }

  #run(): QueryRunner {
    if (this.#runner === undefined) throw new RelataError('a relation query inside .with() cannot be run on its own')
    return this.#runner
  }
}

/**
 * What `forUpdate()` and `forShare()` take: at most one of `skipLocked` (leave out rows another
 * transaction has locked) and `noWait` (fail at once on such a row instead of waiting).
 *
 * @example
 * ```ts
 * const job = await session.query('jobs').where({ status: 'queued' }).limit(1).forUpdate({ skipLocked: true }).first()
 * ```
 */
export type LockOptions = { readonly skipLocked?: true; readonly noWait?: never } | { readonly noWait?: true; readonly skipLocked?: never }

function rowLock(mode: RowLock['mode'], options: unknown, table: TableModel): RowLock {
  const method = mode === 'update' ? 'forUpdate' : 'forShare'
  if (options === undefined) return Object.freeze({ mode })
  if (typeof options !== 'object' || options === null) throw new RelataError(`${method}() on '${table.key}': expects { skipLocked: true } or { noWait: true }`)
  const { skipLocked, noWait, ...rest } = options as Record<string, unknown>
  const unknown = Object.keys(rest)
  if (unknown.length > 0) throw new RelataError(`${method}() on '${table.key}': unknown option ${unknown.map((k) => `'${k}'`).join(', ')} (options: skipLocked, noWait)`)
  for (const [name, value] of [['skipLocked', skipLocked], ['noWait', noWait]] as const) {
    if (value !== undefined && value !== true && value !== false) throw new RelataError(`${method}() on '${table.key}': ${name} must be true or false, got ${String(value)}`)
  }
  if (skipLocked === true && noWait === true) {
    throw new RelataError(`${method}() on '${table.key}': skipLocked and noWait cannot be combined (skip the locked rows, or fail on them)`)
  }
  return Object.freeze({ mode, ...(skipLocked === true ? { wait: 'skipLocked' as const } : noWait === true ? { wait: 'noWait' as const } : {}) })
}

/**
 * A relation named twice is loaded once: the later entry's strategy, filters, order and page win where
 * it sets them, and the nested relations of both are kept.
 */
function mergeWithItems(existing: readonly WithItem[], added: readonly WithItem[]): WithItem[] {
  const merged = [...existing]
  for (const item of added) {
    const index = merged.findIndex((m) => m.relation === item.relation)
    if (index === -1) {
      merged.push(item)
      continue
    }
    const before = merged[index]!
    const query =
      before.query === undefined || item.query === undefined
        ? (item.query ?? before.query)
        : Object.freeze({
            ...before.query,
            filters: item.query.filters.length > 0 ? item.query.filters : before.query.filters,
            orderBy: item.query.orderBy.length > 0 ? item.query.orderBy : before.query.orderBy,
            ...(item.query.limit ?? before.query.limit) !== undefined ? { limit: item.query.limit ?? before.query.limit } : {},
            ...(item.query.offset ?? before.query.offset) !== undefined ? { offset: item.query.offset ?? before.query.offset } : {},
            strategy: item.query.strategy ?? before.query.strategy,
            ...(item.query.columns ?? before.query.columns) !== undefined ? { columns: item.query.columns ?? before.query.columns, columnsBy: item.query.columnsBy ?? before.query.columnsBy } : {},
            with: mergeWithItems(before.query.with, item.query.with),
          })
    merged[index] = { relation: item.relation, strategy: item.strategy ?? before.strategy, query }
  }
  return merged
}

/** Each `.with()` entry as a `WithItem`; nested specs and callbacks become the related table's query state. */
function withItems(table: TableModel, spec: Record<string, unknown>, rules: ValueRules): WithItem[] {
  if (typeof spec !== 'object' || spec === null) throw new RelataError(`with() on '${table.key}': expects an object of relations`)
  const items: WithItem[] = []
  for (const [name, value] of Object.entries(spec)) {
    if (value === undefined || value === false) continue
    const relation = table.relations.get(name)
    if (relation === undefined) {
      throw new RelataError(`with(): '${name}' is not a relation of '${table.key}' (relations: ${[...table.relations.keys()].join(', ') || 'none'})`)
    }
    const state = emptyQueryState(relation.target)
    const empty = new QueryBuilder(relation.association === undefined ? state : Object.freeze({ ...state, via: relation.association.table }), undefined, rules)
    if (value === true) items.push({ relation: name })
    else if (value === 'join' || value === 'selectIn') items.push({ relation: name, strategy: value })
    else if (typeof value === 'function') {
      const built = value(empty)
      if (!(built instanceof QueryBuilder)) throw new RelataError(`with(): the callback for '${table.key}.${name}' must return the query it was given`)
      if (built.state.counts !== undefined) {
        throw new RelataError(`with(): '${table.key}.${name}' cannot count relations: withCount() applies to the query's own rows`)
      }
      if (built.state.lock !== undefined) {
        throw new RelataError(`with(): '${table.key}.${name}' cannot be locked: a lock applies to the rows of the query's own table; lock the related rows with a query of '${relation.target.key}'`)
      }
      items.push({ relation: name, query: built.state })
    } else if (typeof value === 'object' && value !== null) items.push({ relation: name, query: empty.with(value as Record<string, unknown>).state })
    else throw new RelataError(`with(): '${table.key}.${name}' expects true, 'join', 'selectIn', a nested object or a callback`)
  }
  return items
}
