/** The statement behind `count()`: the rows a query matches, within its `limit` and `offset`. */
import { sql, type Kysely } from 'kysely'
import type { StatementRules } from '../dialect/statement-rules.js'
import { compileFilters } from './filters.js'
import type { QueryState } from './query-state.js'

/**
 * `select count(*) from t as t0 where ...`, or with a page, a count over the page as a subquery
 * (as SQLAlchemy's `query.limit(3).count()` counts at most 3).
 */
export function countQuery(db: Kysely<any>, state: QueryState, statements: StatementRules) {
  const { table } = state
  let rows = db.selectFrom(`${table.sqlName} as t0`)
  if (state.filters.length > 0) rows = rows.where((eb) => eb.and(compileFilters(eb, state.filters, table, 't0')))
  if (state.limit === undefined && state.offset === undefined) return rows.select((eb) => eb.fn.countAll().as('count'))
  const page = statements.page(rows.select(sql.lit(1).as('one')), state.limit, state.offset)
  return db.selectFrom(page.as('page')).select((eb) => eb.fn.countAll().as('count'))
}
