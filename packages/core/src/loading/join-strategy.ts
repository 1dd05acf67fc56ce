/**
 * The `join` strategy: a related table embedded in its parent's statement as one JSON value per
 * parent row, through a correlated subquery (PostgreSQL `json_agg`, MariaDB `JSON_ARRAYAGG`),
 * ordered explicitly, nested to any depth. Numerics and big integers travel as text.
 */
import { sql, type AliasedExpression, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely'
import type { DialectCapabilities } from '../dialect/dialect.js'
import { compileFilters, orderItems } from '../query/filters.js'
import type { ColumnModel, RelationModel } from '../schema/model.js'
import { travelsAsText } from '../values/codecs.js'
import type { LoadNode } from './load-plan.js'

/** Key of a join-loaded relation in the parent's row or JSON object. */
export const relationKey = (relation: RelationModel): string => `__r_${relation.name}`

export interface SqlContext {
  readonly db: Kysely<any>
  readonly capabilities: DialectCapabilities
  /** Fresh table aliases (`t1`, `t2`, ...) for one statement. */
  nextAlias(): string
}

const textType = (capabilities: DialectCapabilities) => sql.raw(capabilities.family === 'mysql' ? 'char' : 'text')

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

/** `FROM target AS c [JOIN association AS a ON ...]` with the node's filters applied. */
export function relationSource(ctx: SqlContext, node: LoadNode, childAlias: string, associationAlias: string): SelectQueryBuilder<any, any, {}> {
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
  if (node.query.filters.length > 0) {
    query = query.where((eb) => eb.and(compileFilters(eb, node.query.filters, relation.target, childAlias)))
  }
  return query
}

/** The JSON value of one join-loaded relation, correlated to the parent row aliased `parentAlias`. */
export function joinedRelation(ctx: SqlContext, node: LoadNode, parentAlias: string): RawBuilder<unknown> {
  return ctx.capabilities.jsonAggregation === 'postgres' ? postgresRelation(ctx, node, parentAlias) : mariadbRelation(ctx, node, parentAlias)
}

/** Join-loaded children of a node, as extra select items of the statement that loads the node's rows. */
export function joinedChildren(ctx: SqlContext, children: readonly LoadNode[], alias: string): AliasedExpression<unknown, string>[] {
  return children.filter((child) => child.strategy === 'join').map((child) => joinedRelation(ctx, child, alias).as(relationKey(child.relation)))
}

function postgresRelation(ctx: SqlContext, node: LoadNode, parentAlias: string): RawBuilder<unknown> {
  const { relation } = node
  const child = ctx.nextAlias()
  const association = ctx.nextAlias()
  const row = ctx.nextAlias()
  const order = orderItems(node.query.orderBy, relation.target)
  const hidden: AliasedExpression<unknown, string>[] = []
  const orderSql = order.map((item, i) => {
    // A column sent as text would sort as text: sort on a hidden typed copy instead.
    let key = item.column.sqlName
    if (travelsAsText(item.column)) {
      key = `__o${i}`
      hidden.push(sql.ref(`${child}.${item.column.sqlName}`).as(key))
    }
    return sql`${sql.ref(`${row}.${key}`)} ${sql.raw(item.direction)}`
  })
  let inner = relationSource(ctx, node, child, association)
    .select(embeddedColumns(ctx, relation.target.columns, child))
    .select(hidden)
    .select(joinedChildren(ctx, node.children, child))
    .where((eb) => eb.and(linkConditions(relation, child, parentAlias, association)))
  if (relation.toOne) {
    return sql`(select to_json(${sql.ref(row)}) from (${inner.limit(1)}) as ${sql.ref(row)})`
  }
  return sql`(select coalesce(json_agg(${sql.ref(row)} order by ${sql.join(orderSql)}), '[]'::json) from (${inner}) as ${sql.ref(row)})`
}

function mariadbRelation(ctx: SqlContext, node: LoadNode, parentAlias: string): RawBuilder<unknown> {
  const { relation } = node
  const child = ctx.nextAlias()
  const association = ctx.nextAlias()
  const pairs: RawBuilder<unknown>[] = relation.target.columns.map((column) => sql`${sql.lit(column.sqlName)}, ${columnValue(ctx, column, child)}`)
  for (const grandchild of node.children) {
    if (grandchild.strategy !== 'join') continue
    pairs.push(sql`${sql.lit(relationKey(grandchild.relation))}, ${joinedRelation(ctx, grandchild, child)}`)
  }
  const object = sql`json_object(${sql.join(pairs)})`
  const source = relationSource(ctx, node, child, association).where((eb) => eb.and(linkConditions(relation, child, parentAlias, association)))
  if (relation.toOne) {
    return sql`(${source.select(object.as('j')).limit(1)})`
  }
  const order = orderItems(node.query.orderBy, relation.target).map(
    (item) => sql`${sql.ref(`${child}.${item.column.sqlName}`)} ${sql.raw(item.direction)}`,
  )
  return sql`(${source.select(sql`coalesce(json_arrayagg(${object} order by ${sql.join(order)}), json_array())`.as('j'))})`
}

function columnValue(ctx: SqlContext, column: ColumnModel, alias: string): RawBuilder<unknown> {
  const ref = sql.ref(`${alias}.${column.sqlName}`)
  return travelsAsText(column) ? sql`cast(${ref} as ${textType(ctx.capabilities)})` : sql`${ref}`
}

/** The columns of an embedded row, numerics and big integers cast to text. */
function embeddedColumns(ctx: SqlContext, columns: readonly ColumnModel[], alias: string): AliasedExpression<unknown, string>[] {
  return columns.map((column) => columnValue(ctx, column, alias).as(column.sqlName))
}
