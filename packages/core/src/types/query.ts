/** The public interfaces of entity queries: what `session.query()` and `.with()` callbacks return. */
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely'
import type { AnySchema } from '../schema/define-schema.js'
import type { LoadStrategy } from '../schema/relations.js'
import type { ComparisonOperator } from '../query/query-state.js'
import type { LockOptions } from '../query/entity-query.js'
import type { Page, PaginateOptions } from '../query/paginate.js'
import type { StreamOptions } from '../query/query-stream.js'
import type { Aggregate, AggregateFunctions, AggregateQuery, AggregateRow, GroupedQuery } from './aggregate.js'
import type { CollectionNames, CountEntry, CountSpec, NoOtherCounts } from './counts.js'
import type { Loaded, MergeSpec, RelationTarget, WithSpec } from './loaded.js'
import type { RelationFilterQuery, WhereInput, WhereValues } from './relation-filters.js'
import type { DeferredColumn, OmitEntry, OmittableColumn, SelectEntry, SubsetColumn, UndeferEntry } from './partial.js'
import type { Row } from './rows.js'
import type { TableKey, TableRelations } from './schema-types.js'

/** The key of the relation queries' type-only member that carries their `.with()` spec: never set at run time. */
declare const loadedSpec: unique symbol

/**
 * The tables of a schema as Kysely sees them in `where` callbacks: keyed by table key, with property names.
 *
 * @example
 * ```ts
 * function titled(eb: ExpressionBuilder<PropertyDatabase<typeof schema>, 'books'>, prefix: string) {
 *   return eb.or([eb('title', 'like', `${prefix}%`), eb('id', '=', 1)])
 * }
 * await session.query('books').where((eb) => titled(eb, 'Book')).all()
 * ```
 */
export type PropertyDatabase<S extends AnySchema> = { [K in TableKey<S>]: Row<S, K> }

/** Whether the compiling project sets `exactOptionalPropertyTypes` (then an optional property cannot hold `undefined`). */
type ExactOptional = { a?: number | undefined } extends { a?: number } ? false : true

/**
 * What `where({ ... })` accepts for a filter object `F` over row `R`: each property a column, each
 * value the column's (null where it is nullable), and never `undefined`, which would otherwise drop
 * the condition and match every row. Without `exactOptionalPropertyTypes` an optional property may
 * hold `undefined`, so it is refused too: build the filter with the properties you have.
 *
 * @example
 * ```ts
 * declare const body: { id?: number }
 * session.query('books').where({ id: 1 })
 * // @ts-expect-error body.id may be undefined
 * session.query('books').where({ id: body.id })
 * if (body.id !== undefined) session.query('books').where({ id: body.id })
 * ```
 */
export type FilterValues<R, F> = ExactOptional extends true
  ? { [P in keyof F]: P extends keyof R ? Exclude<F[P], undefined> : never }
  : { [P in keyof F]-?: P extends keyof R ? Exclude<F[P], undefined> : never }

/**
 * The `where` overloads shared by every query, relation filters' callbacks included.
 *
 * @example
 * ```ts
 * function published<Q extends WhereMethods<typeof schema, 'books', Q>>(q: Q): Q {
 *   return q.where({ published: true })
 * }
 * ```
 */
export interface WhereMethods<S extends AnySchema, K extends TableKey<S>, Self> {
  /**
   * `filter_by`: every given column equals its value (`null` means `IS NULL`; `undefined` is an
   * error), and every given relation matches its relation filter: `{ books: { some | every | none: ... } }`,
   * `{ author: { name: 'Ann' } }`, `{ author: null }` (see `WhereInput`), as `EXISTS` subqueries.
   */
  where<F extends WhereInput<S, K>>(values: F & NoInfer<WhereValues<S, K, F>>): Self
  /** A comparison on one property: `where('title', 'like', 'B%')`, `where('id', 'in', [1, 2])`. */
  where<C extends keyof Row<S, K> & string>(column: C, operator: 'in' | 'not in', values: readonly Row<S, K>[C][]): Self
  /** A comparison of one property with one value: `where('year', '>=', 2000)`; `null` with `is` / `is not`. */
  where<C extends keyof Row<S, K> & string>(column: C, operator: Exclude<ComparisonOperator, 'in' | 'not in'>, value: Row<S, K>[C] | null): Self
  /** A Kysely expression over the table's properties: `where((eb) => eb.or([eb('a', '=', 1), eb('b', '>', 2)]))`. */
  where(build: (eb: ExpressionBuilder<PropertyDatabase<S>, K>) => Expression<SqlBool>): Self
  /**
   * The rows with a related row matching the callback's filters (SQLAlchemy's `.any()` / `.has()`):
   * `whereRelated('books', (q) => q.where('year', '>', 2000))` is
   * `where({ books: { some: (q) => q.where('year', '>', 2000) } })` (on a to-one, `{ author: (q) => ... }`).
   */
  whereRelated<R extends keyof TableRelations<S, K> & string>(
    relation: R,
    build: (query: RelationFilterQuery<S, RelationTarget<S, K, R>>) => RelationFilterQuery<S, RelationTarget<S, K, R>>,
  ): Self
}

/** Filters and order shared by root queries and relation queries. */
export interface Filterable<S extends AnySchema, K extends TableKey<S>, Self> extends WhereMethods<S, K, Self> {
  /** Orders by a property, ascending unless told; later calls order within earlier ones, the primary key breaks ties. */
  orderBy(column: keyof Row<S, K> & string, direction?: 'asc' | 'desc'): Self
}

/**
 * A relation's query inside `.with({ books: (q) => ... })`. Immutable.
 *
 * @example
 * ```ts
 * await session.query('authors')
 *   .with({ books: (q) => q.where('title', 'like', 'B%').orderBy('title').strategy('join') })
 *   .all()
 * ```
 */
export interface RelationQuery<S extends AnySchema, K extends TableKey<S>, W> extends Filterable<S, K, RelationQuery<S, K, W>> {
  /** Loads these relations of the related objects too. */
  with<const W2 extends WithSpec<S, K>>(spec: W2): RelationQuery<S, K, MergeSpec<W, W2>>
  /** Loads this relation with one statement (`join`) or one per level (`selectIn`). */
  strategy(strategy: LoadStrategy): RelationQuery<S, K, W>
  /** Loads these columns of the related objects only, and their keys (see `EntityQuery.select()`). */
  select<const C extends SubsetColumn<W, keyof Row<S, K> & string>>(...columns: [C, ...C[]]): RelationQuery<S, K, W & SelectEntry<S, K, C>>
  /** Loads every column of the related objects but these (see `EntityQuery.omit()`). */
  omit<const C extends SubsetColumn<W, OmittableColumn<S, K>>>(...columns: [C, ...C[]]): RelationQuery<S, K, W & OmitEntry<S, K, C>>
  /** Loads these deferred columns of the related objects too (see `EntityQuery.undefer()`). */
  undefer<const C extends SubsetColumn<W, DeferredColumn<S, K>>>(...columns: [C, ...C[]]): RelationQuery<S, K, W & UndeferEntry<S, K, C>>
  /** @internal What it loads, for inference from a callback's return; a symbol key, so completions leave it out. */
  readonly [loadedSpec]?: W
}

/**
 * A to-many relation's query inside `.with({ books: (q) => ... })`: a `RelationQuery` that also
 * pages each parent's collection. `limit(n)` gives every parent its own first `n` related objects
 * in the query's order (the related table's primary key without one), through either strategy, in
 * one statement per level. A collection loaded with a filter or a page is partial: see
 * `session.isPartial()`. Immutable.
 *
 * @example
 * ```ts
 * // Each author with their three latest books.
 * await session.query('authors')
 *   .with({ books: (q) => q.orderBy('year', 'desc').limit(3) })
 *   .all()
 * ```
 */
export interface CollectionQuery<S extends AnySchema, K extends TableKey<S>, W, V = never> extends Filterable<S, K, CollectionQuery<S, K, W, V>> {
  /** A many-to-many's order by a column of its link table `V` (`orderBy('via.position')`): SQLAlchemy's `order_by` on the association table. */
  orderBy(column: (keyof Row<S, K> & string) | (V extends TableKey<S> ? `via.${keyof Row<S, V> & string}` : never), direction?: 'asc' | 'desc'): CollectionQuery<S, K, W, V>
  /** Loads these relations of the related objects too. */
  with<const W2 extends WithSpec<S, K>>(spec: W2): CollectionQuery<S, K, MergeSpec<W, W2>, V>
  /** Loads this relation with one statement (`join`) or one per level (`selectIn`). */
  strategy(strategy: LoadStrategy): CollectionQuery<S, K, W, V>
  /** Loads these columns of the related objects only, and their keys (see `EntityQuery.select()`). */
  select<const C extends SubsetColumn<W, keyof Row<S, K> & string>>(...columns: [C, ...C[]]): CollectionQuery<S, K, W & SelectEntry<S, K, C>, V>
  /** Loads every column of the related objects but these (see `EntityQuery.omit()`). */
  omit<const C extends SubsetColumn<W, OmittableColumn<S, K>>>(...columns: [C, ...C[]]): CollectionQuery<S, K, W & OmitEntry<S, K, C>, V>
  /** Loads these deferred columns of the related objects too (see `EntityQuery.undefer()`). */
  undefer<const C extends SubsetColumn<W, DeferredColumn<S, K>>>(...columns: [C, ...C[]]): CollectionQuery<S, K, W & UndeferEntry<S, K, C>, V>
  /** At most `count` related objects per parent (a `row_number()` window partitioned by the parent's key). */
  limit(count: number): CollectionQuery<S, K, W, V>
  /** Skips the first `count` related objects of each parent. */
  offset(count: number): CollectionQuery<S, K, W, V>
  /** @internal What it loads, for inference from a callback's return; a symbol key, so completions leave it out. */
  readonly [loadedSpec]?: W
}

/**
 * A query of one table: an immutable value, every method returns a new query.
 *
 * @example
 * ```ts
 * const authors = await session.query('authors')
 *   .where('name', 'like', 'A%')
 *   .with({ books: (q) => q.orderBy('title') })
 *   .orderBy('name')
 *   .all()
 * authors[0].books[0].title
 * ```
 */
export interface EntityQuery<S extends AnySchema, K extends TableKey<S>, W = {}> extends Filterable<S, K, EntityQuery<S, K, W>> {
  /** Loads relations with the result: nested paths, per-relation filters, order and strategy. */
  with<const W2 extends WithSpec<S, K>>(spec: W2): EntityQuery<S, K, MergeSpec<W, W2>>
  /** The strategy for every relation of this query that does not name its own. */
  strategy(strategy: LoadStrategy): EntityQuery<S, K, W>
  /** At most `count` objects (SQL `LIMIT`); eager-loaded relations are loaded for these only. */
  limit(count: number): EntityQuery<S, K, W>
  /** Skips the first `count` matching objects (SQL `OFFSET`): with `orderBy`, a page. */
  offset(count: number): EntityQuery<S, K, W>
  /**
   * Read-only results that the session does not keep: no identity-map entry, no snapshot, no
   * change tracking, so memory is freed as soon as the caller drops them (for exports and
   * reports over many rows). Within one result a row is still one object, and relations named in
   * `with()` are loaded; other relations cannot be loaded later, and relation changes are refused.
   */
  untracked(): EntityQuery<S, K, W>
  /**
   * `SELECT ... FOR UPDATE`: locks the rows of this query's table against change, deletion and
   * other locks until the transaction ends; must run inside `orm.transaction()` or
   * `session.transaction()`. Relations named in `with()` are loaded without a lock. Objects the
   * session already holds get their unchanged columns from the locked rows; unflushed changes stay.
   * `{ skipLocked: true }` leaves out rows another transaction has locked; `{ noWait: true }` fails
   * at once on them.
   */
  forUpdate(options?: LockOptions): EntityQuery<S, K, W>
  /** `SELECT ... FOR SHARE` (MariaDB: `LOCK IN SHARE MODE`): other transactions may share the lock but not change the rows. As `forUpdate()` otherwise. */
  forShare(options?: LockOptions): EntityQuery<S, K, W>
  /**
   * SQLAlchemy's `populate_existing()` (MikroORM's `refresh: true`): objects already in the
   * session are overwritten with the rows read, their unflushed attribute changes discarded, and
   * the relations loaded by `with()` are replaced by what the database holds (their unflushed
   * changes discarded too). Without it, an object already in the session keeps its values.
   */
  populateExisting(): EntityQuery<S, K, W>
  /**
   * Loads these columns only, and the primary key's (SQLAlchemy's `load_only()`, Prisma's
   * `select`): the results are partial entities, typed without the other columns. They are tracked
   * and can be changed and flushed; a column left out is loaded by `await obj.load('body')`.
   * An object the session holds already keeps the columns it has.
   */
  select<const C extends SubsetColumn<W, keyof Row<S, K> & string>>(...columns: [C, ...C[]]): EntityQuery<S, K, W & SelectEntry<S, K, C>>
  /** Loads every column but these (Prisma's `omit`, SQLAlchemy's `defer()`); the primary key cannot be left out. As `select()` otherwise. */
  omit<const C extends SubsetColumn<W, OmittableColumn<S, K>>>(...columns: [C, ...C[]]): EntityQuery<S, K, W & OmitEntry<S, K, C>>
  /** Loads these deferred columns too (SQLAlchemy's `undefer()`, MikroORM's `populate` of a lazy property). */
  undefer<const C extends SubsetColumn<W, DeferredColumn<S, K>>>(...columns: [C, ...C[]]): EntityQuery<S, K, W & UndeferEntry<S, K, C>>
  /** Every matching object. */
  all(): Promise<Loaded<S, K, W>[]>
  /** The first matching object, or `undefined`. */
  first(): Promise<Loaded<S, K, W> | undefined>
  /** Exactly one matching object; throws a `NotFoundError` or `MultipleResultsError` otherwise. */
  one(): Promise<Loaded<S, K, W>>
  /** How many rows match, within `limit` and `offset` when given (ignores `with`). */
  count(): Promise<number>
  /**
   * Every matching object, read `batchSize` rows (default 1000) per statement in keyset batches
   * (`WHERE (order values) > (last row's)`, ordered by the query's order and the primary key), each
   * batch with its `with()` relations; SQLAlchemy's `yield_per`, MikroORM's `em.stream()`. Once
   * the loop moves past a batch, the objects it brought into the session leave it (detached, values
   * still readable) unless they hold an unflushed change: those stay until a flush writes them (with
   * autoflush on, the next batch's read does). Leaving the loop early ends the stream.
   */
  stream(options?: StreamOptions): AsyncGenerator<Loaded<S, K, W>, void, undefined>
  /**
   * One keyset page (Relay's connection arguments; MikroORM's `findByCursor`, Prisma's `cursor`):
   * `first` objects after the `after` cursor, or the `last` ones before `before`, in `orderBy` (or
   * the query's `orderBy()`) with the primary key last. Cursors are opaque strings checked when read
   * back; a page stays right while rows are inserted before or after it.
   */
  paginate(options: PaginateOptions<keyof Row<S, K> & string>): Promise<Page<Loaded<S, K, W>>>
  /**
   * Counts each result's related rows in the same statement (a correlated `select count(*)` per
   * relation), read as `result.$counts.books`; the collections themselves are not loaded.
   */
  withCount<const N extends CollectionNames<S, K>>(...relations: [N, ...N[]]): EntityQuery<S, K, W & CountEntry<N>>
  /** As above, a relation's count filtered: `withCount({ books: (q) => q.where('year', '>=', 2000) })`. */
  withCount<const C extends CountSpec<S, K> & object>(spec: C & NoOtherCounts<S, K, C>): EntityQuery<S, K, W & CountEntry<keyof C>>
  /** Groups the matching rows by these columns, for `aggregate()`: plain rows, not entities. */
  groupBy<const G extends keyof Row<S, K> & string>(...columns: [G, ...G[]]): GroupedQuery<S, K, G>
  /** Aggregates over every matching row: one plain row (`{ n: 12, total: 3400 }`). */
  aggregate<const A extends Record<string, Aggregate<unknown>>>(build: (fn: AggregateFunctions<S, K>) => A): AggregateQuery<AggregateRow<S, K, never, A>>
}
