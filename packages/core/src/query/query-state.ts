/** The plain, frozen state behind an entity query: what to select, filter, order and load with it. */
import type { Expression, SqlBool } from 'kysely'
import type { RowLock } from '../dialect/statement-rules.js'
import type { ColumnModel, RelationModel, TableModel } from '../schema/model.js'
import type { LoadStrategy } from '../schema/relations.js'
import type { LongInList } from '../values/value-rules.js'

/**
 * The operators `where(column, operator, value)` takes; `in` and `not in` take an array.
 *
 * @example
 * ```ts
 * await session.query('books').where('title', 'like', 'B%').all()
 * await session.query('books').where('id', 'in', [1, 2]).all()
 * ```
 */
export type ComparisonOperator = '=' | '<>' | '!=' | '<' | '<=' | '>' | '>=' | 'like' | 'not like' | 'ilike' | 'not ilike' | 'in' | 'not in' | 'is' | 'is not'

export const comparisonOperators: ReadonlySet<string> = new Set<ComparisonOperator>([
  '=', '<>', '!=', '<', '<=', '>', '>=', 'like', 'not like', 'ilike', 'not ilike', 'in', 'not in', 'is', 'is not',
])

/** One filter, with column names already checked against the table. */
export type Filter =
  | {
      readonly kind: 'compare'
      readonly column: ColumnModel
      readonly operator: ComparisonOperator
      readonly value: unknown
      /** A long `in` list sent as one parameter, as the family writes it (`ValueRules.longInList`). */
      readonly asOneParameter?: LongInList['compare']
    }
  /** A Kysely expression built over property names; renamed to SQL names when compiled. */
  | { readonly kind: 'expression'; readonly build: (eb: any) => Expression<SqlBool> }
  /** Rows after (or `before`) the given values in `order`: a keyset read's resume point (query/keyset.ts). */
  | { readonly kind: 'keyset'; readonly order: readonly OrderItem[]; readonly values: readonly unknown[]; readonly before: boolean }
  /** Related rows matching `filters` exist (`some`), do not (`none`), or none fails them (`every`): an `EXISTS` subquery. */
  | RelationFilter

/**
 * A filter through a relation (`where({ books: { some: { title: 'X' } } })`): `filters` apply to
 * the related table, a read-only relation's declared condition included.
 */
export interface RelationFilter {
  readonly kind: 'relation'
  readonly relation: RelationModel
  readonly quantifier: 'some' | 'every' | 'none'
  readonly filters: readonly Filter[]
  /** A many-to-many's filters on its link table's columns (`{ some: { via: { role: 'editor' } } }`). */
  readonly linkFilters?: readonly Filter[]
}

export interface OrderItem {
  readonly column: ColumnModel
  readonly direction: 'asc' | 'desc'
  /** A column of a many-to-many's link table (`orderBy('via.position')`), not of the queried table. */
  readonly link?: true
}

/** How one relation is loaded eagerly: its strategy, its own filters and order, and what is loaded under it. */
export interface WithItem {
  readonly relation: string
  readonly strategy?: LoadStrategy
  readonly query?: QueryState
}

/** One `withCount()` relation: its related rows counted per result, through its filters. */
export interface CountItem {
  readonly relation: RelationModel
  readonly filters: readonly Filter[]
}

export interface QueryState {
  readonly table: TableModel
  readonly filters: readonly Filter[]
  readonly orderBy: readonly OrderItem[]
  readonly limit?: number
  readonly offset?: number
  readonly with: readonly WithItem[]
  /** Strategy for every relation of this query that does not choose its own. */
  readonly strategy?: LoadStrategy
  /** Results bypass the session: no identity map entry, no snapshot, no lazy loading. */
  readonly untracked?: boolean
  /** The root table's rows are locked until the transaction ends (`forUpdate()` / `forShare()`). */
  readonly lock?: RowLock
  /** Rows overwrite the objects already in the identity map, and relations loaded with them are replaced (SQLAlchemy's `populate_existing`). */
  readonly populateExisting?: boolean
  /** Relations whose related rows are counted per result (`withCount()`), in the same statement. */
  readonly counts?: readonly CountItem[]
  /** The columns loaded (`select()`, `omit()`, `undefer()`), in the table's order; unset: all but the deferred ones. */
  readonly columns?: readonly ColumnModel[]
  /** The method that chose `columns`, for its errors. */
  readonly columnsBy?: 'select' | 'omit' | 'undefer'
  /** The link table of the many-to-many a `.with()` callback's query loads: `orderBy('via.position')` names its columns. */
  readonly via?: TableModel
}

export function emptyQueryState(table: TableModel): QueryState {
  return Object.freeze({ table, filters: [], orderBy: [], with: [] })
}
