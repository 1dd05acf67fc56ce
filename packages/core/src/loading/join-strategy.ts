/**
 * The `join` strategy: a related table embedded in its parent's statement as one JSON value per
 * parent row, through a correlated subquery the platform writes (PostgreSQL `json_agg`, MariaDB
 * `JSON_ARRAYAGG`), ordered explicitly, nested to any depth. Numerics and big integers travel as text.
 */
import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely'
import type { EmbeddedChild, StatementRules } from '../dialect/statement-rules.js'
import { RelataError } from '../errors.js'
import { compileFilters, orderItems } from '../query/filters.js'
import { loadedColumns } from '../query/column-subsets.js'
import { viewFilters } from '../query/relation-filters.js'
import type { RelationModel } from '../schema/model.js'
import { travelsAsText } from '../values/codecs.js'
import type { LoadNode } from './load-plan.js'
import { perParentPage } from './per-parent-page.js'

/** Key of a join-loaded relation in the parent's row or JSON object. */
export const relationKey = (relation: RelationModel): string => `__r_${relation.name}`

export interface SqlContext {
  readonly db: Kysely<any>
  readonly statements: StatementRules
  /** Fresh table aliases (`t1`, `t2`, ...) for one statement. */
  nextAlias(): string
}

/** `child.fk = parent.pk` (or the association table's key) for each key column. */
export function linkConditions(relation: RelationModel, childAlias: string, parentAlias: string, associationAlias?: string): RawBuilder<unknown>[] {
  if (relation.association !== undefined) {
    const { sourceKey } = relation.association
    return sourceKey.columns.map(
      (column, i) => sql`${sql.ref(`${associationAlias}.${column.sqlName}`)} = ${sql.ref(`${parentAlias}.${sourceKey.referencedColumns[i]!.sqlName}`)}`,
    )
  }
  return relation.targetColumns.map(
    (column, i) => sql`${sql.ref(`${childAlias}.${column.sqlName}`)} = ${sql.ref(`${parentAlias}.${relation.sourceColumns[i]!.sqlName}`)}`,
  )
}

/**
 * `FROM target AS c [JOIN association AS a ON ...]` with the node's filters applied, and its page
 * per parent (`limit()` / `offset()`); `restrict` narrows the rows the page numbers (see `perParentPage`).
 */
export function relationSource(
  ctx: SqlContext,
  node: LoadNode,
  childAlias: string,
  associationAlias: string,
  restrict?: (child: string, association: string) => RawBuilder<unknown>,
): SelectQueryBuilder<any, any, {}> {
  const source = (child: string, association: string) => filteredSource(ctx, node, child, association)
  const page = perParentPage(node, source, ctx.nextAlias, childAlias, associationAlias, restrict)
  const query = source(childAlias, associationAlias)
  return page === undefined ? query : query.where(page)
}

/** `FROM target AS c [JOIN association AS a ON ...]` with the node's filters applied. */
function filteredSource(ctx: SqlContext, node: LoadNode, childAlias: string, associationAlias: string): SelectQueryBuilder<any, any, {}> {
  const { relation } = node
  let query = ctx.db.selectFrom(`${relation.target.sqlName} as ${childAlias}`)
  if (relation.association !== undefined) {
    const { table, targetKey } = relation.association
    query = query.innerJoin(`${table.sqlName} as ${associationAlias}`, (join) => {
      let on = join
      targetKey.columns.forEach((column, i) => {
        on = on.onRef(`${associationAlias}.${column.sqlName}`, '=', `${childAlias}.${targetKey.referencedColumns[i]!.sqlName}`)
      })
      return on
    })
  }
  const filters = [...viewFilters(relation), ...node.query.filters]
  if (filters.length > 0) query = query.where((eb) => eb.and(compileFilters(eb, filters, relation.target, childAlias)))
  return query
}

/** The JSON value of one join-loaded relation, correlated to the parent row aliased `parentAlias`: written by the platform. */
export function joinedRelation(ctx: SqlContext, node: LoadNode, parentAlias: string): RawBuilder<unknown> {
  const { relation } = node
  const linkOrder = node.query.orderBy.find((item) => item.link === true)
  if (linkOrder !== undefined) {
    throw new RelataError(
      `${relation.source.key}.${relation.name} is ordered by via.${linkOrder.column.property}, a column of its link table: the join strategy embeds the related rows without their link rows; load it with selectIn`,
    )
  }
  const alias = ctx.nextAlias()
  const association = ctx.nextAlias()
  return ctx.statements.embeddedRelation({
    source: relationSource(ctx, node, alias, association).where((eb) => eb.and(linkConditions(relation, alias, parentAlias, association))),
    alias,
    toOne: relation.toOne,
    columns: loadedColumns(node.query).map((column) => ({ name: column.sqlName, asText: travelsAsText(column) })),
    order: orderItems(node.query.orderBy, relation.target).map((item) => ({ name: item.column.sqlName, asText: travelsAsText(item.column), direction: item.direction })),
    // Built when the platform asks: the nested relations' aliases follow the ones it takes first.
    children: () => joinedChildren(ctx, node.children, alias),
    nextAlias: ctx.nextAlias,
  })
}

/** The join-loaded children of a node, each as its key and JSON value, correlated to the rows aliased `alias`. */
function joinedChildren(ctx: SqlContext, children: readonly LoadNode[], alias: string): EmbeddedChild[] {
  return children.filter((child) => child.strategy === 'join').map((child) => ({ key: relationKey(child.relation), value: joinedRelation(ctx, child, alias) }))
}
