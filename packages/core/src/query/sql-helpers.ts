/** Small SQL fragments shared by loading and persistence. */
import { sql, type RawBuilder } from 'kysely'

/**
 * `(a, b) IN ((1, 2), (3, 4))`, `(a = 1 and b = 2)` for one tuple, or `a IN (1, 2)` for one
 * column; never true for no tuples.
 */
export function inTuples(columns: readonly string[], tuples: readonly (readonly unknown[])[]): RawBuilder<boolean> {
  if (tuples.length === 0) return sql<boolean>`1 = 0`
  if (columns.length === 1) return sql<boolean>`${sql.ref(columns[0]!)} in (${sql.join(tuples.map((t) => t[0]))})`
  // MariaDB plans a one-tuple row IN as a full scan: an UPDATE or DELETE of one row would lock every row of the table.
  if (tuples.length === 1) return sql<boolean>`(${sql.join(columns.map((c, i) => sql`${sql.ref(c)} = ${tuples[0]![i]}`), sql` and `)})`
  const row = sql.join(columns.map((c) => sql.ref(c)))
  return sql<boolean>`(${row}) in (${sql.join(tuples.map((t) => sql`(${sql.join(t as unknown[])})`))})`
}
