/** Small SQL fragments shared by loading and persistence. */
import { sql, type RawBuilder } from 'kysely'
import { chunks } from './chunks.js'

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
  const lists = chunks(tuples, parametersPerRowList, columns.length)
  if (lists.length === 1) return sql<boolean>`(${row}) in (${rowList(tuples)})`
  return sql<boolean>`(${sql.join(lists.map((list) => sql<boolean>`(${row}) in (${rowList(list)})`), sql` or `)})`
}

/**
 * Parameters per row IN list; a longer list is split into lists OR-ed together. PGlite 0.5.16
 * silently matches nothing with a row IN list of more than about 500 parameters (300 pairs: no
 * rows, not even from count(*)), and PostgreSQL exceeds its stack depth on one list of about
 * 20,000 tuples; lists of 400 parameters OR-ed together are exact on both, and on MySQL.
 */
const parametersPerRowList = 400

/**
 * `(?, ?), (?, ?), ...` as one fragment with every value a parameter: a list of thousands of rows
 * built from one template compiles several times faster than as nested joins of small fragments.
 * `around(r, i)` may wrap value `i` of row `r` in SQL text (`['cast(', ' as integer)']`).
 */
export function rowList(rows: readonly (readonly unknown[])[], around?: (row: number, index: number) => readonly [string, string] | undefined): RawBuilder<unknown> {
  return parameterList(rows, { open: '(', between: '), (', close: ')' }, around)
}

/**
 * Rows of parameters as one fragment: `text.open`, each row's values separated by `, `, rows by
 * `text.between`, then `text.close`; `around(r, i)` may wrap value `i` of row `r` in SQL text.
 *
 * @example
 * ```ts
 * parameterList([[1, 'a'], [2, 'b']], { open: '(', between: '), (', close: ')' })   // (?, ?), (?, ?)
 * ```
 */
export function parameterList(
  rows: readonly (readonly unknown[])[],
  text: { readonly open: string; readonly between: string; readonly close: string },
  around?: (row: number, index: number) => readonly [string, string] | undefined,
): RawBuilder<unknown> {
  const fragments: string[] = []
  const parameters: unknown[] = []
  let pending = ''
  rows.forEach((values, r) => {
    pending += r === 0 ? text.open : text.between
    values.forEach((value, i) => {
      const wrap = around?.(r, i)
      fragments.push(pending + (i === 0 ? '' : ', ') + (wrap?.[0] ?? ''))
      parameters.push(value)
      pending = wrap?.[1] ?? ''
    })
  })
  fragments.push(pending + text.close)
  return sql(Object.assign(fragments, { raw: fragments }) as TemplateStringsArray, ...parameters)
}
