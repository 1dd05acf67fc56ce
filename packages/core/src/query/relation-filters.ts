/**
 * Filters through relations: `where({ books: { some: {...} } })`, `every`, `none`, and a to-one
 * path (`where({ author: { name: 'Ann' } })`, `where({ author: null })`), read from the filter
 * object and compiled to correlated `EXISTS` subqueries, so a parent row is never repeated.
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely'
import { RelataError } from '../errors.js'
import type { RelationModel, TableModel } from '../schema/model.js'
import type { Filter, RelationFilter } from './query-state.js'

/** Compiles filters on the related table aliased `alias` (the compiler of `filters.ts`, passed in so that the two modules do not import each other). */
export type CompileFilters = (eb: ExpressionBuilder<any, any>, filters: readonly Filter[], table: TableModel, alias: string) => Expression<SqlBool>[]

/** Reads a nested filter (an object, or a callback over the related table's query) into filters on `table`. */
export type ReadNested = (table: TableModel, spec: object, where: string) => readonly Filter[]

const quantifiers: ReadonlySet<string> = new Set(['some', 'every', 'none'])

const viewFilterCache = new WeakMap<RelationModel, readonly Filter[]>()

/** A read-only relation's declared `where`, as filters on its target (none for other relations). */
export function viewFilters(relation: RelationModel): readonly Filter[] {
  if (relation.condition === undefined) return []
  let filters = viewFilterCache.get(relation)
  if (filters === undefined) {
    filters = Object.freeze(relation.condition.map(({ column, value }): Filter => ({ kind: 'compare', column, operator: '=', value })))
    viewFilterCache.set(relation, filters)
  }
  return filters
}

/**
 * The filters of `where({ [relation.name]: value })` on `table`. A collection takes `{ some, every,
 * none }` (each a filter object or a callback, several ANDed); a to-one takes a filter object or a
 * callback (the related row exists and matches), or `null` (no related row).
 */
export function readRelationFilter(table: TableModel, relation: RelationModel, value: unknown, readNested: ReadNested): RelationFilter[] {
  const where = `where({ ${relation.name}: ... }) on '${table.key}'`
  const nested = (spec: unknown, path: string): readonly Filter[] => {
    if ((typeof spec !== 'object' && typeof spec !== 'function') || spec === null || Array.isArray(spec)) {
      throw new RelataError(`${where}: ${path} expects a filter object of '${relation.target.key}' or a callback, got ${spec === null ? 'null' : Array.isArray(spec) ? 'an array' : typeof spec}`)
    }
    return readNested(relation.target, spec, `${where}, ${path}`)
  }
  // `via: { role: 'editor' }` beside the target's columns: a many-to-many's link table columns.
  const linkOf = (spec: unknown, path: string): [unknown, readonly Filter[] | undefined] => {
    const association = relation.association
    if (association === undefined || typeof spec !== 'object' || spec === null || !Object.hasOwn(spec, 'via')) return [spec, undefined]
    if (relation.target.columnsByProperty.has('via') || relation.target.relations.has('via')) return [spec, undefined]
    const { via, ...rest } = spec as Record<string, unknown>
    if (typeof via !== 'object' || via === null || Array.isArray(via)) {
      throw new RelataError(`${where}: ${path}.via expects a filter object of the link table '${association.table.key}', got ${via === null ? 'null' : Array.isArray(via) ? 'an array' : typeof via}`)
    }
    return [rest, readNested(association.table, via, `${where}, ${path}.via`)]
  }
  const filter = (quantifier: RelationFilter['quantifier'], filters: readonly Filter[], linkFilters?: readonly Filter[]): RelationFilter =>
    Object.freeze({ kind: 'relation', relation, quantifier, filters: Object.freeze([...viewFilters(relation), ...filters]), ...(linkFilters === undefined ? {} : { linkFilters }) })
  if (relation.toOne) {
    if (value === null) return [filter('none', [])]
    return [filter('some', nested(value, relation.name))]
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RelataError(`${where}: '${relation.name}' is a collection: filter it with { some }, { every } or { none }`)
  }
  const entries = Object.entries(value)
  if (entries.length === 0) throw new RelataError(`${where}: '${relation.name}' is a collection: filter it with { some }, { every } or { none }`)
  return entries.map(([key, spec]) => {
    if (!quantifiers.has(key)) throw new RelataError(`${where}: '${key}' is not a relation filter of the collection '${relation.name}' (some, every, none)`)
    if (spec === undefined) throw new RelataError(`${where}: ${key} is undefined (it would match every row); leave it out`)
    const quantifier = key as RelationFilter['quantifier']
    const [own, linkFilters] = linkOf(spec, `${relation.name}.${key}`)
    const filters = nested(own, `${relation.name}.${key}`)
    // `every` keeps the view's condition apart: the rows that fail are looked for among the view's rows.
    return quantifier === 'every'
      ? Object.freeze({ kind: 'relation' as const, relation, quantifier, filters: Object.freeze([...filters]), ...(linkFilters === undefined ? {} : { linkFilters }) })
      : filter(quantifier, filters, linkFilters)
  })
}

/**
 * `exists (select 1 from target as <alias>r [join link as <alias>l] where <link> and <filters>)`;
 * `none` is its negation; `every` is `not exists (... where <link> and (<filters>) is not true)`
 * (a row whose condition is NULL fails it, as Prisma's `every`). Nested subqueries alias
 * `t0r`, `t0rr`, ...: each level's name is unique within the subqueries it nests in.
 */
export function compileRelationFilter(eb: ExpressionBuilder<any, any>, filter: RelationFilter, alias: string, compile: CompileFilters): Expression<SqlBool> {
  const { relation, quantifier } = filter
  const child = `${alias}r`
  const link = `${alias}l`
  const conditions: Expression<SqlBool>[] = [...linkConditions(relation, child, alias, link)]
  const linkFilters = filter.linkFilters !== undefined && relation.association !== undefined ? compile(eb, filter.linkFilters, relation.association.table, link) : []
  if (quantifier === 'every') {
    if (filter.filters.length === 0 && linkFilters.length === 0) return sql<SqlBool>`1 = 1`
    conditions.push(...compile(eb, viewFilters(relation), relation.target, child))
    conditions.push(sql<SqlBool>`(${eb.and([...compile(eb, filter.filters, relation.target, child), ...linkFilters])}) is not true`)
  } else {
    conditions.push(...compile(eb, filter.filters, relation.target, child), ...linkFilters)
  }
  let rows = eb.selectFrom(`${relation.target.sqlName} as ${child}`)
  const association = relation.association
  if (association !== undefined) {
    rows = rows.innerJoin(`${association.table.sqlName} as ${link}`, (join) => {
      let on = join
      association.targetKey.columns.forEach((column, i) => {
        on = on.onRef(`${link}.${column.sqlName}`, '=', `${child}.${association.targetKey.referencedColumns[i]!.sqlName}`)
      })
      return on
    })
  }
  const exists = eb.exists(rows.select(sql.lit(1).as('one')).where((inner) => inner.and(conditions)))
  return quantifier === 'some' ? exists : eb.not(exists)
}

/** The related row belongs to the parent row aliased `parent`: through its foreign key, or the link table's. */
function linkConditions(relation: RelationModel, child: string, parent: string, link: string): Expression<SqlBool>[] {
  if (relation.association !== undefined) {
    const { sourceKey } = relation.association
    return sourceKey.columns.map((column, i) => sql<SqlBool>`${sql.ref(`${link}.${column.sqlName}`)} = ${sql.ref(`${parent}.${sourceKey.referencedColumns[i]!.sqlName}`)}`)
  }
  return relation.targetColumns.map((column, i) => sql<SqlBool>`${sql.ref(`${child}.${column.sqlName}`)} = ${sql.ref(`${parent}.${relation.sourceColumns[i]!.sqlName}`)}`)
}
