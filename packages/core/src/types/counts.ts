/** The types of `withCount()`: which relations can be counted, the filtered form, and the `$counts` a result carries. */
import type { AnySchema } from '../schema/define-schema.js'
import type { RelationDef } from '../schema/relations.js'
import type { RelationTarget } from './loaded.js'
import type { Filterable } from './query.js'
import type { TableKey, TableRelations } from './schema-types.js'

/**
 * The to-many relations of table `K` (one-to-many and many-to-many): what `withCount()` and
 * `collection.count()` count.
 *
 * @example
 * ```ts
 * type Counted = CollectionNames<typeof schema, 'authors'>   // 'books' | 'coauthored'
 * ```
 */
export type CollectionNames<S extends AnySchema, K extends TableKey<S>> = {
  [R in keyof TableRelations<S, K>]: TableRelations<S, K>[R] extends RelationDef<'oneToMany' | 'manyToMany', any> ? R : never
}[keyof TableRelations<S, K>] &
  string

/**
 * The query a filtered count's callback gets: it filters the related rows, nothing else.
 *
 * @example
 * ```ts
 * await session.query('authors').withCount({ books: (q) => q.where('year', '>=', 2000) }).all()
 * ```
 */
export interface CountQuery<S extends AnySchema, K extends TableKey<S>> {
  /** Counts only the related rows that match, as `query().where()` filters. */
  where: Filterable<S, K, CountQuery<S, K>>['where']
}

/**
 * The object form of `withCount()`: per to-many relation, `true` or a callback that filters the
 * counted rows.
 *
 * @example
 * ```ts
 * const spec = { books: true, coauthored: (q) => q.where('title', 'like', 'A%') } satisfies CountSpec<typeof schema, 'authors'>
 * ```
 */
export type CountSpec<S extends AnySchema, K extends TableKey<S>> = {
  readonly [R in CollectionNames<S, K>]?: true | ((query: CountQuery<S, RelationTarget<S, K, R>>) => CountQuery<S, RelationTarget<S, K, R>>)
}

/**
 * Names in a `withCount()` object that are not to-many relations of the table: each must be `never`.
 *
 * @example
 * ```ts
 * type Refused = NoOtherCounts<typeof schema, 'artists', { albumz: true }>   // { readonly albumz: never }
 * ```
 */
export type NoOtherCounts<S extends AnySchema, K extends TableKey<S>, C> = { readonly [X in Exclude<keyof C, CollectionNames<S, K>>]: never }

/**
 * The entry of a query's loaded spec that records its counted relations: `withCount('albums')`
 * adds `CountEntry<'albums'>`, and the results get `$counts.albums`.
 *
 * @example
 * ```ts
 * type Counted = Loaded<typeof schema, 'artists', CountEntry<'albums'>>   // an artist with $counts.albums
 * ```
 */
export type CountEntry<N extends PropertyKey> = { readonly $counts: { readonly [R in N]: true } }

/**
 * What `withCount()` adds to each result: `$counts`, the number of related rows per named relation,
 * as of the query that read it (a snapshot: later changes in memory do not change it).
 *
 * @example
 * ```ts
 * const [artist] = await session.query('artists').withCount('albums').all()
 * const n: number = artist.$counts.albums
 * type Counted = WithCounts<Entity<typeof schema, 'artists'>, 'albums'>
 * ```
 */
export type WithCounts<E, N extends PropertyKey> = E & { readonly $counts: { readonly [R in N]: number } }

/** The `$counts` property of a loaded result whose spec `W` holds counted relations. */
export type CountsOf<W> = W extends { readonly $counts: infer C } ? { readonly $counts: { readonly [R in keyof C]: number } } : {}
