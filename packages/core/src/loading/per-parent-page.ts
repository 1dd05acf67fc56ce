/**
 * `limit()` / `offset()` inside `.with()`: each parent's own first rows of a collection, by a
 * `row_number()` window partitioned by the parent's key, written once for both strategies and both
 * families (PostgreSQL, MySQL 8 and MariaDB 10.2+ share the syntax).
 */
import { sql, type RawBuilder, type SelectQueryBuilder } from 'kysely'
import { orderItems } from '../query/filters.js'
import type { LoadNode } from './load-plan.js'

/** The related table (and association table) as `relationSource` builds it, filtered, under the given aliases. */
export type FilteredSource = (child: string, association: string) => SelectQueryBuilder<any, any, {}>

/**
 * The condition that keeps, of the rows aliased `child` (and `association`), each parent's page:
 * `(key) in (select key from (select key, row_number() over (partition by <parent key> order by
 * <order, then primary key>) as __rn from ...) as w where __rn > offset and __rn <= offset + limit)`.
 * The subquery is not correlated (MariaDB allows no outer reference in a derived table), so it
 * serves a join-loaded relation's per-parent subquery as well as a `selectIn` statement;
 * `restrict` narrows it to the parents a `selectIn` statement reads. `undefined` without a page.
 */
export function perParentPage(
  node: LoadNode,
  source: FilteredSource,
  nextAlias: () => string,
  child: string,
  association: string,
  restrict?: (child: string, association: string) => RawBuilder<unknown>,
): RawBuilder<boolean> | undefined {
  const { limit, offset } = node.query
  if (limit === undefined && offset === undefined) return undefined
  const { relation } = node
  const innerChild = nextAlias()
  const innerAssociation = nextAlias()
  const window = nextAlias()
  // The parent's key: the association's key column(s), or the child's foreign key.
  const partition = relation.association
    ? relation.association.sourceKey.columns.map((c) => `${innerAssociation}.${c.sqlName}`)
    : relation.targetColumns.map((c) => `${innerChild}.${c.sqlName}`)
  // A row of a one-to-many has one parent: its primary key says which rows are kept. A target of a
  // many-to-many may be on several parents' pages or on some only: the pair says.
  const pk = relation.target.primaryKey
  const kept = [
    ...(relation.association ? relation.association.sourceKey.columns.map((c, i) => ({ outer: `${association}.${c.sqlName}`, inner: partition[i]!, name: `__p${i}` })) : []),
    ...pk.map((c, i) => ({ outer: `${child}.${c.sqlName}`, inner: `${innerChild}.${c.sqlName}`, name: `__k${i}` })),
  ]
  // Without an order, the primary key's: every parent's page is the same on every run.
  const order = orderItems(node.query.orderBy, relation.target).map((item) => sql`${sql.ref(`${item.link === true ? innerAssociation : innerChild}.${item.column.sqlName}`)} ${sql.raw(item.direction)}`)
  let numbered = source(innerChild, innerAssociation).select([
    ...kept.map((k) => sql.ref(k.inner).as(k.name)),
    sql`row_number() over (partition by ${sql.join(partition.map((p) => sql.ref(p)))} order by ${sql.join(order)})`.as('__rn'),
  ])
  if (restrict !== undefined) numbered = numbered.where(restrict(innerChild, innerAssociation) as RawBuilder<boolean>)
  const from = offset ?? 0
  const rank = sql.ref(`${window}.__rn`)
  const page = limit === undefined || from + limit > Number.MAX_SAFE_INTEGER ? sql`${rank} > ${sql.lit(from)}` : sql`${rank} > ${sql.lit(from)} and ${rank} <= ${sql.lit(from + limit)}`
  const keys = sql.join(kept.map((k) => sql.ref(`${window}.${k.name}`)))
  return sql<boolean>`(${sql.join(kept.map((k) => sql.ref(k.outer)))}) in (select ${keys} from ${numbered} as ${sql.ref(window)} where ${page})`
}
