/**
 * Helpers for loading tests: entity graphs as plain data, Kysely rows keyed by property names,
 * grouping, and the shape of a recorded statement.
 */
import { schema } from '@relata/test-kit/chinook'
import type { RecordedQuery, TableKey } from '../../src/index.js'

/** Which relations to follow, nested: `{ albums: { tracks: {} } }`. */
export interface GraphSpec {
  readonly [relation: string]: GraphSpec
}

type Plain = Record<string, unknown>

/**
 * An entity's columns (its own enumerable properties) and the relations named in `spec`, read
 * through the entity's accessors: a relation that is not loaded throws, as it should.
 */
export function graph(entity: object, spec: GraphSpec = {}): Plain {
  const plain: Plain = { ...entity }
  for (const [name, nested] of Object.entries(spec)) {
    const value = (entity as Record<string, unknown>)[name]
    if (value === null) plain[name] = null
    else if (Array.isArray(value)) plain[name] = value.map((item: object) => graph(item, nested))
    else plain[name] = graph(value as object, nested)
  }
  return plain
}

/** `graph` over a list. */
export const graphs = (entities: readonly object[], spec: GraphSpec = {}): Plain[] => entities.map((entity) => graph(entity, spec))

/** A Kysely row (SQL column names) as the entity's plain columns (property names), in declaration order. */
export function properties(table: TableKey<typeof schema>, row: Record<string, unknown>): Plain {
  const plain: Plain = {}
  for (const column of schema.table(table).columns) {
    if (!(column.sqlName in row)) throw new Error(`properties(): the ${table} row has no column ${column.sqlName}`)
    plain[column.property] = row[column.sqlName]
  }
  return plain
}

/** Rows grouped by a key, in their order. */
export function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const row of rows) {
    const k = key(row)
    const group = groups.get(k)
    if (group === undefined) groups.set(k, [row])
    else group.push(row)
  }
  return groups
}

/**
 * What a statement reads, for comparing strategies across dialects: the tables it names with an
 * alias, in alias order (`t0` the root, `t1`...), joined with `>`; and for a `selectIn`
 * statement (one without a root `t0`), how many keys its `IN (...)` list carries.
 *
 * @example
 * ```ts
 * shape({ sql: 'select ... from "album" as "t1" where "t1"."artist_id" in ($1, $2)', parameters: [1, 2] })   // 'album IN(2)'
 * ```
 */
export function shape(query: RecordedQuery): string {
  const aliased = [...query.sql.matchAll(/(?:from|join) [`"](\w+)[`"] as [`"]t(\d+)[`"]/g)]
    .map((m) => ({ table: m[1]!, alias: Number(m[2]) }))
    .sort((a, b) => a.alias - b.alias)
  const tables = aliased.map((t) => t.table).join('>')
  if (aliased[0]?.alias === 0) return tables
  const inList = /\bin \(((?:\$\d+|\?)(?:, (?:\$\d+|\?))*)\)/.exec(query.sql)
  return inList === null ? tables : `${tables} IN(${inList[1]!.split(', ').length})`
}

/** The shapes of the recorded statements. */
export const shapes = (queries: readonly RecordedQuery[]): string[] => queries.map(shape)
