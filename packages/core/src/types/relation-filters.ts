/** The types of filters through relations: what `where({ books: { some: {...} } })` and `where({ author: {...} })` accept, checked against the schema. */
import type { AnySchema } from '../schema/define-schema.js'
import type { RelationDef } from '../schema/relations.js'
import type { IsToOneNullable } from './entity.js'
import type { RelationTarget } from './loaded.js'
import type { WhereMethods } from './query.js'
import type { Row } from './rows.js'
import type { TableKey, TableRelations } from './schema-types.js'

/**
 * The query a relation filter's callback receives: the related table's `where` overloads
 * (comparisons, lists, Kysely callbacks, nested relation filters), nothing else.
 *
 * @example
 * ```ts
 * await session.query('authors').where({ books: { some: (q) => q.where('title', 'like', 'B%') } }).all()
 * ```
 */
export interface RelationFilterQuery<S extends AnySchema, K extends TableKey<S>> extends WhereMethods<S, K, RelationFilterQuery<S, K>> {}

/** A nested relation filter: a filter object of the related table, or a callback over its query. */
type Nested<S extends AnySchema, T extends TableKey<S>> = WhereInput<S, T> | ((query: RelationFilterQuery<S, T>) => RelationFilterQuery<S, T>)

type IsCollection<Rel> = Rel extends RelationDef<'oneToMany' | 'manyToMany', any> ? true : false

/**
 * The link table of a many-to-many relation `R` of `K`, whose columns its filters take under `via`
 * (`never` for other relations, and where the target has a property named `via` itself).
 */
type ViaOf<S extends AnySchema, K extends TableKey<S>, R extends keyof TableRelations<S, K>> =
  TableRelations<S, K>[R] extends RelationDef<'manyToMany', infer T extends TableKey<S>, infer O>
    ? 'via' extends keyof Row<S, T> | keyof TableRelations<S, T>
      ? never
      : O extends { readonly via: infer V extends TableKey<S> }
        ? V
        : never
    : never

/** A collection's nested filter: a many-to-many's also takes its link table's columns under `via` (`{ via: { role: 'editor' } }`). */
type CollectionNested<S extends AnySchema, T extends TableKey<S>, Via> = [Via] extends [never]
  ? Nested<S, T>
  : Nested<S, T> | (WhereInput<S, T> & { readonly via?: WhereInput<S, Via & TableKey<S>> })

/** What one relation of table `K` takes in a filter object. */
type RelationInput<S extends AnySchema, K extends TableKey<S>, R extends keyof TableRelations<S, K>> =
  IsCollection<TableRelations<S, K>[R]> extends true
    ? {
        readonly some?: CollectionNested<S, RelationTarget<S, K, R>, ViaOf<S, K, R>>
        readonly every?: CollectionNested<S, RelationTarget<S, K, R>, ViaOf<S, K, R>>
        readonly none?: CollectionNested<S, RelationTarget<S, K, R>, ViaOf<S, K, R>>
      }
    : Nested<S, RelationTarget<S, K, R>> | (IsToOneNullable<S, K, TableRelations<S, K>[R]> extends true ? null : never)

/**
 * What `where({ ... })` accepts on table `K`: columns with values (SQLAlchemy's `filter_by`), and
 * relations with relation filters: a collection with `{ some }`, `{ every }` or `{ none }`
 * (Prisma's names; SQLAlchemy's `.any()`), a to-one with the related row's filter (SQLAlchemy's
 * `.has()`) or `null` when it may be absent. Each nested filter is an object of the same kind or a
 * callback `(q) => q.where(...)`; all of it compiles to `EXISTS` subqueries.
 *
 * @example
 * ```ts
 * const filter = { name: 'Ann', books: { some: { title: 'Dune' } } } satisfies WhereInput<typeof schema, 'authors'>
 * await session.query('authors').where(filter).all()
 * ```
 */
export type WhereInput<S extends AnySchema, K extends TableKey<S>> = { readonly [C in keyof Row<S, K>]?: Row<S, K>[C] } & {
  readonly [R in keyof TableRelations<S, K>]?: RelationInput<S, K, R>
}

/** Whether the compiling project sets `exactOptionalPropertyTypes` (then an optional property cannot hold `undefined`). */
type ExactOptional = { a?: number | undefined } extends { a?: number } ? false : true

/**
 * The check behind `where({ ... })` for a filter object `F` on table `K`: each column's value is
 * the column's (never `undefined`, which would match every row), each relation's filter is checked
 * the same way down its nested objects, and any other property (a misspelt column or relation) is
 * `never`: a compile error on that property.
 *
 * @example
 * ```ts
 * session.query('authors').where({ books: { some: { title: 'Dune' } } })
 * // @ts-expect-error 'titel' is not a column of books
 * session.query('authors').where({ books: { some: { titel: 'Dune' } } })
 * ```
 */
export type WhereValues<S extends AnySchema, K extends TableKey<S>, F> = IsDeclaredShape<S, K, F> extends true
  ? // A callback inside the object can leave F uninferred (the declared shape itself): the shape's own checks then apply.
    unknown
  : ExactOptional extends true
    ? { [P in keyof F]: CheckProperty<S, K, P, F[P]> }
    : { [P in keyof F]-?: CheckProperty<S, K, P, F[P]> }

/** Whether `F` is `WhereInput` itself, relations included (a `Partial<Row>` is not: it is checked). */
type IsDeclaredShape<S extends AnySchema, K extends TableKey<S>, F> = [keyof TableRelations<S, K>] extends [never]
  ? false
  : WhereInput<S, K> extends F
    ? keyof TableRelations<S, K> extends keyof F
      ? true
      : false
    : false

type CheckProperty<S extends AnySchema, K extends TableKey<S>, P, V> = P extends keyof Row<S, K>
  ? Exclude<V, undefined>
  : P extends keyof TableRelations<S, K>
    ? CheckRelation<S, K, P, Exclude<V, undefined>>
    : never

type CheckRelation<S extends AnySchema, K extends TableKey<S>, R extends keyof TableRelations<S, K>, V> =
  IsCollection<TableRelations<S, K>[R]> extends true
    ? // Quantifiers stay optional: where a callback inside defeats inference, V is the declared shape, all of it optional.
      { [Q in keyof V]: Q extends 'some' | 'every' | 'none' ? CheckCollectionNested<S, RelationTarget<S, K, R>, ViaOf<S, K, R>, Exclude<V[Q], undefined>> : never }
    : V extends null
      ? RelationInput<S, K, R>
      : CheckNested<S, RelationTarget<S, K, R>, V>

type CheckNested<S extends AnySchema, T extends TableKey<S>, V> = V extends (...args: any[]) => any ? V : WhereValues<S, T, V>

/** A collection's nested filter checked: a many-to-many's `via` against its link table's columns. */
type CheckCollectionNested<S extends AnySchema, T extends TableKey<S>, Via, V> = [Via] extends [never]
  ? CheckNested<S, T, V>
  : V extends (...args: any[]) => any
    ? V
    : 'via' extends keyof V
      ? ExactOptional extends true
        ? { [P in keyof V]: P extends 'via' ? WhereValues<S, Via & TableKey<S>, Exclude<V[P], undefined>> : CheckProperty<S, T, P, V[P]> }
        : { [P in keyof V]-?: P extends 'via' ? WhereValues<S, Via & TableKey<S>, Exclude<V[P], undefined>> : CheckProperty<S, T, P, V[P]> }
      : CheckNested<S, T, V>
