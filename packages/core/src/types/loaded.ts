/** Result types that say which relations are loaded: plain arrays and objects where loaded, handles elsewhere. */
import type { Simplify } from 'type-fest'
import type { AnySchema } from '../schema/define-schema.js'
import type { LoadStrategy, RelationDef } from '../schema/relations.js'
import type { Collection, EntityMethods, IsToOneNullable, IsViewOnly, LoadedCollection, LoadedViewCollection, Reference, RelationHandle, UnloadedHandle, ViewCollection } from './entity.js'
import type { EntityJsonMethod } from './entity-json.js'
import type { CountsOf } from './counts.js'
import type { ColumnLoadMethod, LoadedColumns } from './partial.js'
import type { CollectionQuery, RelationQuery } from './query.js'
import type { Row } from './rows.js'
import type { LinkCollection, LinkOf, LinkTableOf, LoadedLinkCollection } from './links.js'
import type { TableKey, TableRelations } from './schema-types.js'

/** The table key a relation of table `K` points at. */
export type RelationTarget<S extends AnySchema, K extends TableKey<S>, R extends keyof TableRelations<S, K>> =
  TableRelations<S, K>[R] extends RelationDef<any, infer T extends TableKey<S>> ? T : never

/**
 * What `.with()` takes: per relation, `true`, a strategy, a nested spec, or a callback that
 * filters, orders and nests (`(q) => q.where(...).orderBy('title').with({ ... })`).
 *
 * @example
 * ```ts
 * const spec = { books: { authors: true } } satisfies WithSpec<typeof schema, 'authors'>
 * await session.query('authors').with(spec).all()
 * ```
 */
export type WithSpec<S extends AnySchema, K extends TableKey<S>> = {
  readonly [R in keyof TableRelations<S, K>]?:
    | true
    | LoadStrategy
    | WithSpec<S, RelationTarget<S, K, R>>
    | RelationCallback<S, K, R>
}

/**
 * The callback form of a `.with()` entry: a to-many relation's query also pages (`limit`,
 * `offset`). It may return a `RelationQuery` (a helper written over `RelationQuery` still fits).
 */
type RelationCallback<S extends AnySchema, K extends TableKey<S>, R extends keyof TableRelations<S, K>> =
  TableRelations<S, K>[R] extends RelationDef<'oneToMany' | 'manyToMany', any>
    ? (query: CollectionQuery<S, RelationTarget<S, K, R>, {}, LinkTableOf<S, TableRelations<S, K>[R]>>) => CollectionQuery<S, RelationTarget<S, K, R>, any, any> | RelationQuery<S, RelationTarget<S, K, R>, any>
    : (query: RelationQuery<S, RelationTarget<S, K, R>, {}>) => RelationQuery<S, RelationTarget<S, K, R>, any>

/**
 * Two `.with()` specs as one: a relation named in both keeps the nested relations of both. The
 * first `.with()` (nothing loaded before it) is its spec as written, so results hover as
 * `Loaded<..., { books: true }>`, not as a merge.
 */
export type MergeSpec<A, B> = [keyof A] extends [never] ? { -readonly [R in keyof B]: B[R] } : MergeSpecs<A, B>

type MergeSpecs<A, B> = {
  [R in keyof A | keyof B]: R extends keyof B
    ? R extends keyof A
      ? MergeSpec<NestedSpec<A[R]>, NestedSpec<B[R]>>
      : B[R]
    : R extends keyof A
      ? A[R]
      : never
}

/** The nested spec inside one `.with()` entry. */
type NestedSpec<V> = V extends true | LoadStrategy
  ? {}
  : V extends (query: any) => RelationQuery<any, any, infer W>
    ? W
    : V extends (query: any) => CollectionQuery<any, any, infer W>
      ? W
      : V

type LoadedRelation<S extends AnySchema, K extends TableKey<S>, R extends keyof TableRelations<S, K>, V> =
  TableRelations<S, K>[R] extends RelationDef<infer Kind, infer Target extends TableKey<S>>
    ? Kind extends 'oneToMany' | 'manyToMany'
      ? IsViewOnly<TableRelations<S, K>[R]> extends true
        ? LoadedViewCollection<Loaded<S, Target, NestedSpec<V>>>
        : [LinkOf<S, K, TableRelations<S, K>[R]>] extends [never]
          ? LoadedCollection<Loaded<S, Target, NestedSpec<V>>, Row<S, Target>>
          : LoadedLinkCollection<Loaded<S, Target, NestedSpec<V>>, Row<S, Target>, LinkOf<S, K, TableRelations<S, K>[R]>>
      : IsToOneNullable<S, K, TableRelations<S, K>[R]> extends true
        ? Loaded<S, Target, NestedSpec<V>> | null
        : Loaded<S, Target, NestedSpec<V>>
    : never

/**
 * An entity of table `K` with the relations named in `W` loaded (recursively). `Entity` is `Loaded` with nothing loaded.
 *
 * @example
 * ```ts
 * type AuthorWithBooks = Loaded<typeof schema, 'authors', { books: true }>
 * async function withBooks(session: Session<typeof schema>, name: string): Promise<AuthorWithBooks | undefined> {
 *   return session.query('authors').where({ name }).with({ books: true }).first()
 * }
 * ```
 */
export type Loaded<S extends AnySchema, K extends TableKey<S>, W> = { [P in keyof LoadedShape<S, K, W>]: LoadedShape<S, K, W>[P] }

/**
 * The members of `Loaded`. `Loaded` maps over them in its own body (rather than through a
 * `Simplify`) so that the alias keeps its name: declaration emit then refers to
 * `Loaded<...>` across packages instead of expanding relation cycles into `any`.
 */
type LoadedShape<S extends AnySchema, K extends TableKey<S>, W> = LoadedColumns<S, K, W> & {
  -readonly [R in keyof TableRelations<S, K>]: R extends keyof W ? LoadedRelation<S, K, R, W[R]> : UnloadedHandle<R & string, RelationHandle<S, K, TableRelations<S, K>[R]>>
} & CountsOf<W> & ('load' extends keyof Row<S, K> | keyof TableRelations<S, K> ? {} : EntityMethods & ColumnLoadMethod<S, K>) &
  ('toJSON' extends keyof Row<S, K> | keyof TableRelations<S, K> ? {} : EntityJsonMethod)

/** The loaded form of one relation handle. */
export type LoadedValue<H> = H extends LinkCollection<infer E, infer I, infer L>
  ? LoadedLinkCollection<E, I, L>
  : H extends Collection<infer E, infer I>
  ? LoadedCollection<E, I>
  : H extends ViewCollection<infer E>
    ? LoadedViewCollection<E>
    : // Nullability read by assignability, not inference: inference does not see through NotLoaded's label.
      H extends Reference<infer E, any> ? (H extends Reference<E, false> ? E : E | null) : H

/**
 * The names of an entity's relations (properties holding a collection or a reference).
 *
 * @example
 * ```ts
 * type Names = RelationNames<Entity<typeof schema, 'books'>>   // 'author'
 * ```
 */
export type RelationNames<E> = { [P in keyof E]: P extends 'load' | 'toJSON' ? never : NonNullable<E[P]> extends Collection<any, any> | Reference<any, any> ? P : never }[keyof E] & string

/**
 * `E` with relations `R` loaded, from the entity type alone: what `session.load()` returns.
 *
 * @example
 * ```ts
 * const loaded: WithLoaded<Entity<typeof schema, 'authors'>, 'books'> = await session.load(author, 'books')
 * loaded.books.length
 * ```
 */
export type WithLoaded<E, R extends keyof E> = Simplify<{ [P in keyof E]: P extends R ? LoadedValue<E[P]> : E[P] }>
