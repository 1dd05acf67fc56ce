/**
 * Counts of related rows: `withCount()`'s items, the correlated `(select count(*) ...)` each one
 * adds to a query's statement, the `$counts` they fill on the results, and the statement of
 * `collection.count()`.
 */
import { sql, type ExpressionBuilder, type Kysely } from 'kysely'
import { RelataError } from '../errors.js'
import type { RelationModel, TableModel } from '../schema/model.js'
import { compileFilters } from './filters.js'
import { viewFilters } from './relation-filters.js'
import type { CountItem, Filter, QueryState } from './query-state.js'

/** The property of an entity that holds the counts of its last `withCount()` query. */
export const COUNTS_PROPERTY = '$counts'

/** The key of one relation's count in a result row. */
const countKey = (item: CountItem): string => `__c_${item.relation.name}`

/** Builds the filters of a callback's relation query; entity-query.ts passes it, so that this module does not import the builder. */
export type CountFilters = (relation: RelationModel, callback: (query: unknown) => unknown) => readonly Filter[]

function toManyRelation(table: TableModel, name: unknown): RelationModel {
  const relation = typeof name === 'string' ? table.relations.get(name) : undefined
  if (relation === undefined) {
    throw new RelataError(`withCount(): '${String(name)}' is not a relation of '${table.key}' (relations: ${[...table.relations.keys()].join(', ') || 'none'})`)
  }
  if (relation.toOne) {
    throw new RelataError(`withCount(): ${table.key}.${relation.name} is a to-one relation; counts are of collections (one-to-many or many-to-many)`)
  }
  return relation
}

/**
 * `withCount('books', 'reviews')` or `withCount({ books: true, reviews: (q) => q.where(...) })` as
 * count items; a relation named again replaces its earlier count.
 */
export function countItems(table: TableModel, existing: readonly CountItem[] | undefined, args: readonly unknown[], filtersOf: CountFilters): readonly CountItem[] {
  if (table.columnsByProperty.has(COUNTS_PROPERTY) || table.relations.has(COUNTS_PROPERTY)) {
    throw new RelataError(`withCount() on '${table.key}': the table has a column or relation named '${COUNTS_PROPERTY}', where counts are read`)
  }
  if (args.length === 0) throw new RelataError(`withCount() on '${table.key}': name at least one relation`)
  const added: CountItem[] = []
  for (const arg of args) {
    if (typeof arg === 'string') {
      added.push(Object.freeze({ relation: toManyRelation(table, arg), filters: [] }))
    } else if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
      for (const [name, value] of Object.entries(arg)) {
        if (value === undefined || value === false) continue
        const relation = toManyRelation(table, name)
        if (value === true) added.push(Object.freeze({ relation, filters: [] }))
        else if (typeof value === 'function') added.push(Object.freeze({ relation, filters: filtersOf(relation, value as (query: unknown) => unknown) }))
        else throw new RelataError(`withCount(): '${table.key}.${name}' expects true or a callback that filters the related rows`)
      }
    } else {
      throw new RelataError(`withCount() on '${table.key}': expects relation names or an object of relations`)
    }
  }
  const kept = (existing ?? []).filter((item) => !added.some((a) => a.relation === item.relation))
  return Object.freeze([...kept, ...added])
}

/**
 * `(select count(*) from target as c where c.fk = parent.pk and <filters>)`; a many-to-many counts
 * its link rows (joined to the target only when filtered).
 */
export function countSubquery(db: Kysely<any>, item: CountItem, parentAlias: string, nextAlias: () => string) {
  const { relation } = item
  // A read-only relation counts the rows its declared condition keeps.
  const filters = [...viewFilters(relation), ...item.filters]
  const child = nextAlias()
  const link = nextAlias()
  const association = relation.association
  let query
  if (association === undefined) {
    query = db.selectFrom(`${relation.target.sqlName} as ${child}`).where((eb) =>
      eb.and(relation.targetColumns.map((column, i) => eb(sql.ref(`${child}.${column.sqlName}`), '=', sql.ref(`${parentAlias}.${relation.sourceColumns[i]!.sqlName}`)))),
    )
  } else {
    const { table, sourceKey, targetKey } = association
    query = db.selectFrom(`${table.sqlName} as ${link}`)
    if (filters.length > 0) {
      query = query.innerJoin(`${relation.target.sqlName} as ${child}`, (join) =>
        targetKey.columns.reduce((on, column, i) => on.onRef(`${link}.${column.sqlName}`, '=', `${child}.${targetKey.referencedColumns[i]!.sqlName}`), join),
      )
    }
    query = query.where((eb) =>
      eb.and(sourceKey.columns.map((column, i) => eb(sql.ref(`${link}.${column.sqlName}`), '=', sql.ref(`${parentAlias}.${sourceKey.referencedColumns[i]!.sqlName}`)))),
    )
  }
  if (filters.length > 0) query = query.where((eb: ExpressionBuilder<any, any>) => eb.and(compileFilters(eb, filters, relation.target, child)))
  return query.select((eb) => eb.fn.countAll().as('count'))
}

/** The count subqueries of a query, each under its key in the row. */
export function countSelections(db: Kysely<any>, state: QueryState, alias: string, nextAlias: () => string) {
  return (state.counts ?? []).map((item) => countSubquery(db, item, alias, nextAlias).as(countKey(item)))
}

/** A count as the driver returns it (PostgreSQL's bigint as text, MySQL's as a number). */
export function countValue(value: unknown, where: string): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isSafeInteger(n) || n < 0) throw new RelataError(`${where}: the database returned ${String(value)}, not a count`)
  return n
}

/**
 * Puts each row's counts on its object as `$counts` (not enumerable: never a column to spread or
 * serialise), merged with counts an earlier query put there.
 */
export function assignCounts(state: QueryState, entities: readonly object[], rows: readonly Record<string, unknown>[]): void {
  const items = state.counts
  if (items === undefined || items.length === 0) return
  for (let i = 0; i < entities.length; i++) {
    const entity = entities[i]!
    const before = (entity as Record<string, unknown>)[COUNTS_PROPERTY] as Record<string, number> | undefined
    const counts: Record<string, number> = { ...before }
    for (const item of items) counts[item.relation.name] = countValue(rows[i]![countKey(item)], `withCount('${item.relation.name}') on '${state.table.key}'`)
    Object.defineProperty(entity, COUNTS_PROPERTY, { value: Object.freeze(counts), enumerable: false, configurable: true, writable: false })
  }
}

/** `select count(*) from target where fk = ?` (a many-to-many: its link rows): the rows of one parent's collection. */
export function relationCountQuery(db: Kysely<any>, relation: RelationModel, parentKey: readonly unknown[]) {
  const association = relation.association
  const from = association === undefined ? relation.target : association.table
  const columns = association === undefined ? relation.targetColumns : association.sourceKey.columns
  // A read-only relation's declared condition is on the target: a many-to-many joins it to its links.
  const view = viewFilters(relation)
  let query = db.selectFrom(`${from.sqlName} as t1`)
  if (association !== undefined && view.length > 0) {
    const { targetKey } = association
    query = query.innerJoin(`${relation.target.sqlName} as t2`, (join) =>
      targetKey.columns.reduce((on, column, i) => on.onRef(`t1.${column.sqlName}`, '=', `t2.${targetKey.referencedColumns[i]!.sqlName}`), join),
    )
  }
  query = query.where((eb) => eb.and(columns.map((column, i) => eb(`t1.${column.sqlName}`, '=', parentKey[i]))))
  if (view.length > 0) query = query.where((eb: ExpressionBuilder<any, any>) => eb.and(compileFilters(eb, view, relation.target, association === undefined ? 't1' : 't2')))
  return query.select((eb) => eb.fn.countAll().as('count'))
}
