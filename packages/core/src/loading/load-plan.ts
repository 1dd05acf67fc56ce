/** Turns a query's `.with()` items into a tree of load nodes, each with its strategy settled. */
import { RelataError } from '../errors.js'
import type { RelationModel } from '../schema/model.js'
import type { LoadStrategy } from '../schema/relations.js'
import { emptyQueryState, type QueryState } from '../query/query-state.js'

export interface LoadNode {
  readonly relation: RelationModel
  readonly strategy: LoadStrategy
  /** Filters, order and per-parent page on the related table; its `with` became `children`. */
  readonly query: QueryState
  readonly children: readonly LoadNode[]
}

/**
 * Whether a node loads a subset of each parent's collection (filtered, or paged per parent): the
 * collections it fills are partial. A to-one is never partial.
 */
export function isPartialLoad(node: LoadNode): boolean {
  const { query } = node
  return !node.relation.toOne && (query.filters.length > 0 || query.limit !== undefined || query.offset !== undefined)
}

/** A collection's declared order (`orderBy` option) where the `.with()` entry gives none. */
export function declaredOrder(query: QueryState, relation: RelationModel): QueryState {
  return query.orderBy.length > 0 || relation.orderBy.length === 0 ? query : Object.freeze({ ...query, orderBy: relation.orderBy })
}

/**
 * Strategy precedence: the relation's own choice in the query, then a query-wide `.strategy()`,
 * then the relation's declared default. Where the server cannot embed collections as ordered JSON
 * (`jsonCollections` false: MySQL 8 cannot order `JSON_ARRAYAGG`), a to-many relation is always
 * loaded with `selectIn`.
 */
export function buildLoadPlan(state: QueryState, jsonCollections: boolean, inherited?: LoadStrategy): LoadNode[] {
  const queryWide = state.strategy ?? inherited
  return state.with.map((item) => {
    const relation = state.table.relations.get(item.relation)
    if (relation === undefined) {
      throw new RelataError(
        `'${item.relation}' is not a relation of '${state.table.key}' (relations: ${[...state.table.relations.keys()].join(', ') || 'none'})`,
      )
    }
    const query = declaredOrder(item.query ?? emptyQueryState(relation.target), relation)
    if (relation.toOne && (query.limit !== undefined || query.offset !== undefined)) {
      throw new RelataError(
        `with(): ${state.table.key}.${relation.name} is a to-one relation: limit() and offset() page a collection (one-to-many or many-to-many), per parent`,
      )
    }
    let strategy = item.strategy ?? query.strategy ?? queryWide ?? relation.strategy
    if (strategy === 'join' && !relation.toOne && !jsonCollections) strategy = 'selectIn'
    return Object.freeze({ relation, strategy, query, children: buildLoadPlan(query, jsonCollections, queryWide) })
  })
}
