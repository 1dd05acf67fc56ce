/** The statement behind `count()`: the rows a query matches, within its `limit` and `offset`. */
import { sql, type Kysely } from 'kysely'
import type { SqlFamily } from '../dialect/dialect.js'
import { compileFilters } from './filters.js'
import type { QueryState } from './query-state.js'

/**
 * `select count(*) from t as t0 where ...`, or with a page, a count over the page as a subquery
 * (as SQLAlchemy's `query.limit(3).count()` counts at most 3).
 */
export function countQuery(db: Kysely<any>, state: QueryState, family: SqlFamily) {
  const { table } = state
  let rows = db.selectFrom(`${table.sqlName} as t0`)
  if (state.filters.length > 0) rows = rows.where((eb) => eb.and(compileFilters(eb, state.filters, table, 't0')))
  if (state.limit === undefined && state.offset === undefined) return rows.select((eb) => eb.fn.countAll().as('count'))
  let page = rows.select(sql.lit(1).as('one'))
  if (state.limit !== undefined) page = page.limit(state.limit)
  if (state.offset !== undefined) {
    // MySQL needs a LIMIT with an OFFSET.
    if (state.limit === undefined && family === 'mysql') page = page.limit(sql.lit(Number.MAX_SAFE_INTEGER) as never)
    page = page.offset(state.offset)
  }
  return db.selectFrom(page.as('page')).select((eb) => eb.fn.countAll().as('count'))
}
