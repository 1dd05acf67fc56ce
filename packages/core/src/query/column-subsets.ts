/** Which columns a query loads: every column but the deferred ones, or those `select()`, `omit()` or `undefer()` chose. */
import { RelataError } from '../errors.js'
import type { ColumnModel, TableModel } from '../schema/model.js'
import type { QueryState } from './query-state.js'

/** The method that chose a query's columns. */
export type SubsetMethod = 'select' | 'omit' | 'undefer'

const defaults = new WeakMap<TableModel, readonly ColumnModel[]>()

/**
 * The columns a query of `table` loads unless told otherwise: all but the deferred ones (the
 * table's own array when none is deferred).
 *
 * @example
 * ```ts
 * defaultColumns(schema.table('books')).map((c) => c.property)   // ['id', 'title', 'authorId']
 * ```
 */
export function defaultColumns(table: TableModel): readonly ColumnModel[] {
  let columns = defaults.get(table)
  if (columns === undefined) {
    const kept = table.columns.filter((column) => column.config.deferred !== true)
    columns = kept.length === table.columns.length ? table.columns : Object.freeze(kept)
    defaults.set(table, columns)
  }
  return columns
}

/**
 * The columns a query's rows carry, in the table's order: the chosen (or default) ones, and those
 * its `.with()` relations join on (a relation cannot be loaded without its key); `extra`: more
 * that its caller reads (a selectIn child's foreign key).
 *
 * @example
 * ```ts
 * loadedColumns(state).map((c) => c.sqlName)   // ['id', 'title']
 * ```
 */
export function loadedColumns(state: QueryState, extra: readonly ColumnModel[] = []): readonly ColumnModel[] {
  const { table } = state
  const base = state.columns ?? defaultColumns(table)
  if (base === table.columns) return base
  const needed = new Set(base)
  for (const column of extra) needed.add(column)
  for (const item of state.with) {
    const relation = table.relations.get(item.relation)
    if (relation === undefined) continue
    for (const column of relation.sourceColumns) needed.add(column)
    for (const column of relation.association?.sourceKey.referencedColumns ?? []) needed.add(column)
  }
  return needed.size === base.length ? base : table.columns.filter((column) => needed.has(column))
}

/**
 * What the columns loaded add to a statement's cache key: nothing when they are all of the table's.
 *
 * @example
 * ```ts
 * columnsKey(books, [id, title])   // '|id,title'
 * ```
 */
export function columnsKey(table: TableModel, columns: readonly ColumnModel[]): string {
  return columns === table.columns ? '' : `|${columns.map((column) => column.sqlName).join(',')}`
}

/**
 * The columns `select()`, `omit()` or `undefer()` leave a query with, checked: each name a column
 * (a deferred one, for `undefer`), the primary key and the version column always kept (an update
 * of the object needs them), and only one such call per query.
 *
 * @example
 * ```ts
 * subsetColumns(books, 'select', ['title'], undefined)   // [id, title]
 * ```
 */
export function subsetColumns(table: TableModel, method: SubsetMethod, names: readonly unknown[], chosen: SubsetMethod | undefined): readonly ColumnModel[] {
  const where = `${method}() on '${table.key}'`
  if (chosen !== undefined) {
    throw new RelataError(`${where}: the query's columns are chosen already by ${chosen}(); select(), omit() and undefer() do not combine (name every column in one call)`)
  }
  if (names.length === 0) throw new RelataError(`${where}: name at least one column`)
  const named = new Set<ColumnModel>()
  for (const name of names) {
    const column = typeof name === 'string' ? table.columnsByProperty.get(name) : undefined
    if (column === undefined) {
      const relation = typeof name === 'string' && table.relations.has(name) ? ` ('${name}' is a relation: load it with .with())` : ''
      throw new RelataError(`${where}: '${String(name)}' is not a column of '${table.key}'${relation} (columns: ${[...table.columnsByProperty.keys()].join(', ')})`)
    }
    if (method === 'omit' && (column.config.primaryKey || column.config.version)) {
      const why = column.config.primaryKey ? 'part of the primary key, which identifies the object' : 'the version column, which an update checks'
      throw new RelataError(`${where}: ${table.key}.${column.property} is ${why}, and is always loaded`)
    }
    if (method === 'undefer' && column.config.deferred !== true) {
      throw new RelataError(`${where}: ${table.key}.${column.property} is not deferred, so it is loaded already; undefer() names deferred columns`)
    }
    named.add(column)
  }
  const keep = (column: ColumnModel): boolean =>
    method === 'select' ? named.has(column) || column.config.primaryKey || column.config.version : method === 'omit' ? !named.has(column) && column.config.deferred !== true : named.has(column) || column.config.deferred !== true
  return Object.freeze(table.columns.filter(keep))
}
