/**
 * What a statement's rows carry besides the loaded table's own columns: join-loaded relations.
 * A many-to-one (the key in this row, pointing at the target's primary key) is a LEFT JOIN whose
 * columns come back under a prefix (`t2__title`), read like the table's own: no JSON to build on
 * the server or to parse here, and at most one row per parent. Every other join-loaded relation is
 * a JSON value (see `join-strategy.ts`). Used by the root statement and by `selectIn` statements.
 */
import { sql, type SelectQueryBuilder } from 'kysely'
import { compileFilters } from '../query/filters.js'
import { loadedColumns } from '../query/column-subsets.js'
import { viewFilters } from '../query/relation-filters.js'
import type { ColumnModel, RelationModel, TableModel } from '../schema/model.js'
import { assignRelation } from './assign.js'
import { hydrateJoined } from './hydrate-joined.js'
import { joinedRelation, linkConditions, relationKey, type SqlContext } from './join-strategy.js'
import type { LoadContext } from './load-context.js'
import type { LoadNode } from './load-plan.js'

export interface RowShape {
  /** Prefix of this level's own columns and JSON keys in the row (`''` for the loaded table itself). */
  readonly prefix: string
  /** Relations sent as one JSON value each, under `prefix + relationKey(relation)`. */
  readonly json: readonly LoadNode[]
  /** Many-to-one relations joined into the row, each with the shape of its own columns and the columns it selects. */
  readonly joined: readonly { readonly node: LoadNode; readonly shape: RowShape; readonly columns: readonly ColumnModel[] }[]
}

/** The shape of rows that carry their table's columns alone. */
export const plainShape: RowShape = Object.freeze({ prefix: '', json: [], joined: [] })

/** A join-loaded many-to-one on the target's primary key: one row at most, so a LEFT JOIN keeps the parent rows as they are. */
export function joinsFlat(node: LoadNode): boolean {
  const { relation } = node
  return node.strategy === 'join' && relation.toOne && relation.owning && relation.association === undefined && referencesPrimaryKey(relation)
}

export function referencesPrimaryKey(relation: RelationModel): boolean {
  const pk = relation.target.primaryKey
  return pk.length === relation.targetColumns.length && pk.every((c, i) => relation.targetColumns[i] === c)
}

/** Adds the join-loaded relations of `nodes` to a statement whose rows are `alias`'s rows. */
export function selectJoined<Q extends SelectQueryBuilder<any, any, any>>(
  ctx: SqlContext,
  query: Q,
  nodes: readonly LoadNode[],
  alias: string,
  prefix = '',
): { query: Q; shape: RowShape } {
  const json = nodes.filter((node) => node.strategy === 'join' && !joinsFlat(node))
  let next = query.select(json.map((node) => joinedRelation(ctx, node, alias).as(prefix + relationKey(node.relation)))) as Q
  const joined: { node: LoadNode; shape: RowShape; columns: readonly ColumnModel[] }[] = []
  for (const node of nodes) {
    if (!joinsFlat(node)) continue
    const { relation } = node
    const target = ctx.nextAlias()
    const targetPrefix = `${target}__`
    const columns = loadedColumns(node.query)
    next = next
      .leftJoin(`${relation.target.sqlName} as ${target}`, (join) =>
        join.on((eb) => eb.and([...linkConditions(relation, target, alias), ...compileFilters(eb, [...viewFilters(relation), ...node.query.filters], relation.target, target)])),
      )
      .select(columns.map((c) => sql.ref(`${target}.${c.sqlName}`).as(targetPrefix + c.sqlName))) as Q
    const inner = selectJoined(ctx, next, node.children, target, targetPrefix)
    next = inner.query
    joined.push({ node, shape: inner.shape, columns })
  }
  return { query: next, shape: { prefix, json, joined } }
}

/**
 * The statement, marked (`ValueRules.decodedRows`) when its rows are read by the row decoders
 * alone: `table`'s columns, `extra` and those of its LEFT JOINs, no JSON aggregate.
 */
export function withDecodedRows<Q extends SelectQueryBuilder<any, any, any>>(
  ctx: LoadContext,
  query: Q,
  table: TableModel,
  shape: RowShape,
  extra: readonly ColumnModel[] = [],
  own: readonly ColumnModel[] = table.columns,
): Q {
  const columns: ColumnModel[] = [...own, ...extra]
  const collect = (level: RowShape): boolean => {
    if (level.json.length > 0) return false
    for (const { shape: inner, columns: joinedColumns } of level.joined) {
      columns.push(...joinedColumns)
      if (!collect(inner)) return false
    }
    return true
  }
  if (!collect(shape)) return query
  const plugin = ctx.hydrator.decodedRows(columns)
  return plugin === undefined ? query : (query.withPlugin(plugin) as Q)
}

/** Reads the join-loaded relations of one row into `entity` (and, through joined rows, their own). */
export function hydrateRow(ctx: LoadContext, entity: object, row: Record<string, unknown>, shape: RowShape): void {
  if (shape.json.length > 0) hydrateJoined(ctx, entity, row, shape.json, shape.prefix)
  for (const { node, shape: inner, columns } of shape.joined) {
    const target = node.relation.target
    // No row joined (a null key, or a filter that did not match): the relation is empty.
    if (target.primaryKey.some((column) => row[inner.prefix + column.sqlName] == null)) {
      assignRelation(ctx, entity, node.relation, [])
      continue
    }
    const related = ctx.hydrator.fromRow(target, row, inner.prefix, columns)
    hydrateRow(ctx, related, row, inner)
    assignRelation(ctx, entity, node.relation, [related])
  }
}

/** Whether the shape has anything to read. */
export function hasJoined(shape: RowShape): boolean {
  return shape.json.length > 0 || shape.joined.length > 0
}
