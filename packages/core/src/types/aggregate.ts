/** The types of aggregate queries: `groupBy()`, the `fn` of `aggregate()`, the plain rows they return. */
import type { Simplify } from 'type-fest'
import type { AnySchema } from '../schema/define-schema.js'
import type { NumericString } from '../schema/column.js'
import type { HavingOperator } from '../query/aggregate-query.js'
import type { Row } from './rows.js'
import type { TableKey } from './schema-types.js'

/**
 * One aggregate, as `fn.count()` or `fn.sum('milliseconds')` makes it; `T` is its value in a result row.
 *
 * @example
 * ```ts
 * const total: Aggregate<number | null> = fn.sum('milliseconds')
 * ```
 */
export interface Aggregate<T> {
  readonly kind: string
  /** @internal Type-level carrier; never set at run time. */
  readonly $type?: T
}

type Equals<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false

/** Numbers, big integers, and a numeric column's `NumericString` (any number's text, unlike a text column's `string`). */
type IsSummable<T> = [T] extends [never]
  ? false
  : [T] extends [number]
    ? true
    : [T] extends [bigint]
      ? true
      : [T] extends [string]
        ? Equals<T, string> extends true
          ? false
          : `${number}` extends T
            ? true
            : false
        : false

/**
 * Columns `sum` and `avg` take: numbers, big integers and numerics.
 *
 * @example
 * ```ts
 * type Summed = SummableColumn<typeof schema, 'tracks'>   // 'trackId' | 'albumId' | 'milliseconds' | 'bytes' | 'unitPrice' | ...
 * ```
 */
export type SummableColumn<S extends AnySchema, K extends TableKey<S>> = {
  [C in keyof Row<S, K>]: IsSummable<Exclude<Row<S, K>[C], null>> extends true ? C : never
}[keyof Row<S, K>] &
  string

/**
 * Columns `min` and `max` take: numbers, big integers, text, numerics and dates (not booleans or JSON).
 *
 * @example
 * ```ts
 * await session.query('invoices').aggregate((fn) => ({ first: fn.min('invoiceDate') })).all()   // [{ first: Date }]
 * ```
 */
export type OrderedColumn<S extends AnySchema, K extends TableKey<S>> = {
  [C in keyof Row<S, K>]: [Exclude<Row<S, K>[C], null>] extends [number | bigint | string | Date] ? C : never
}[keyof Row<S, K>] &
  string

/** `sum` of a number column is a number, of a bigint column a bigint, of a numeric column its decimal text. */
type SumOf<T> = [T] extends [number] ? number : [T] extends [bigint] ? bigint : NumericString
/** `avg` of a number column is a number; of a bigint or numeric column, exact decimal text. */
type AvgOf<T> = [T] extends [number] ? number : NumericString

/**
 * The functions `aggregate((fn) => ...)` gets. `sum`, `avg`, `min` and `max` are `null` for a group
 * (or a whole query) without a non-null value; counts are never null.
 *
 * @example
 * ```ts
 * await session.query('tracks').groupBy('albumId').aggregate((fn) => ({ tracks: fn.count(), length: fn.sum('milliseconds') })).all()
 * ```
 */
export interface AggregateFunctions<S extends AnySchema, K extends TableKey<S>> {
  /** `count(*)`: the rows; with a column, `count(column)`: the rows where it is not null. */
  count(column?: keyof Row<S, K> & string): Aggregate<number>
  /** `count(distinct column)`. */
  countDistinct(column: keyof Row<S, K> & string): Aggregate<number>
  /** The sum of a column over the group (`null` for a group without values). */
  sum<C extends SummableColumn<S, K>>(column: C): Aggregate<SumOf<Exclude<Row<S, K>[C], null>> | null>
  /** The average of a column over the group (`null` for a group without values). */
  avg<C extends SummableColumn<S, K>>(column: C): Aggregate<AvgOf<Exclude<Row<S, K>[C], null>> | null>
  /** The smallest value of a column in the group, as the column's own type. */
  min<C extends OrderedColumn<S, K>>(column: C): Aggregate<Exclude<Row<S, K>[C], null> | null>
  /** The largest value of a column in the group, as the column's own type. */
  max<C extends OrderedColumn<S, K>>(column: C): Aggregate<Exclude<Row<S, K>[C], null> | null>
}

/**
 * The row of an aggregate query: the grouped columns as the table holds them, and each aggregate's value.
 *
 * @example
 * ```ts
 * type PerAlbum = AggregateRow<typeof schema, 'tracks', 'albumId', { n: Aggregate<number> }>   // { albumId: number | null; n: number }
 * ```
 */
export type AggregateRow<S extends AnySchema, K extends TableKey<S>, G extends keyof Row<S, K>, A> = Simplify<
  { [C in G]: Row<S, K>[C] } & { -readonly [N in keyof A]: A[N] extends Aggregate<infer T> ? T : never }
>

/**
 * An aggregate query returning plain rows (not entities): `having`, `orderBy`, `limit` and
 * `offset` name the result's columns and aggregates. Immutable.
 *
 * @example
 * ```ts
 * const busy = await session.query('albums')
 *   .groupBy('artistId')
 *   .aggregate((fn) => ({ albums: fn.count() }))
 *   .having('albums', '>', 3)
 *   .orderBy('albums', 'desc')
 *   .all()
 * busy[0]   // { artistId: 90, albums: 21 }
 * ```
 */
export interface AggregateQuery<R> {
  /** SQL `HAVING`: keeps the groups whose column or aggregate compares so with the value. */
  having<N extends keyof R & string>(name: N, operator: HavingOperator, value: NonNullable<R[N]>): AggregateQuery<R>
  /** Orders by a grouped column or an aggregate; the grouped columns break ties. */
  orderBy(name: keyof R & string, direction?: 'asc' | 'desc'): AggregateQuery<R>
  /** At most `count` result rows. */
  limit(count: number): AggregateQuery<R>
  /** Skips the first `count` result rows (with an `orderBy`, for a stable page). */
  offset(count: number): AggregateQuery<R>
  /** Runs the query: one plain row per group (one row without `groupBy`). */
  all(): Promise<R[]>
}

/**
 * `query.groupBy(...)`: the grouped columns, waiting for their aggregates.
 *
 * @example
 * ```ts
 * const perAlbum = session.query('tracks').groupBy('albumId')
 * await perAlbum.aggregate((fn) => ({ tracks: fn.count() })).all()
 * ```
 */
export interface GroupedQuery<S extends AnySchema, K extends TableKey<S>, G extends keyof Row<S, K>> {
  /** The aggregates per group, named by the returned object's keys. */
  aggregate<const A extends Record<string, Aggregate<unknown>>>(build: (fn: AggregateFunctions<S, K>) => A): AggregateQuery<AggregateRow<S, K, G, A>>
  /** The distinct groups only. */
  aggregate(): AggregateQuery<AggregateRow<S, K, G, {}>>
}
