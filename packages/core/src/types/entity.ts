/** The entity type of a table: its columns plus a handle per relation, resolved lazily per table. */
import type { Loaded } from './loaded.js'
import type { AnyColumn } from '../schema/column.js'
import type { AnySchema } from '../schema/define-schema.js'
import type { RelationDef } from '../schema/relations.js'
import type { ColumnInfoOf } from '../schema/column.js'
import type { Row } from './rows.js'
import type { ColumnsOf, TableKey, TableRelations, TablesOf } from './schema-types.js'
import type { TableMeta } from '../schema/table.js'
import type { LinkCollection, LinkOf } from './links.js'

/**
 * A to-many relation that may not be loaded yet: it can be loaded or changed, not read.
 * Once loaded (`.with()`, `session.load()`), the relation is a `LoadedCollection`: an array.
 * `I` is what the change methods take: any object of the target table, whatever it has loaded.
 *
 * @example
 * ```ts
 * book1.authors.add(author1)                  // changed without loading
 * const authors = await book1.authors.load()   // a LoadedCollection
 * ```
 */
export interface Collection<E, I = ColumnsOnly<E>> {
  /** Loads the related objects (once per session) and returns them. */
  load(): Promise<LoadedCollection<E, I>>
  /**
   * How many objects it holds, without loading them: loaded whole, its length (unflushed adds and
   * removes included), no SQL; otherwise one `select count(*)`, after the autoflush a load would do.
   */
  count(): Promise<number>
  /** Links objects; written at the next flush, mirrored on the back-populating side. (A many-to-many whose link table has columns of its own is a `LinkCollection`: `add(item, values)`.) */
  add(...items: I[]): void
  /** Unlinks objects; written at the next flush. */
  remove(...items: I[]): void
  /** Replaces the whole collection. */
  set(items: readonly I[]): void
  /** Unlinks every object. */
  clear(): void
}

/**
 * A loaded to-many relation: a read-only array that can still be changed through its methods.
 *
 * @example
 * ```ts
 * const author = await session.query('authors').with({ books: true }).one()
 * author.books.map((b) => b.title)
 * author.books.remove(...author.books.filter((b) => b.title.startsWith('Draft')))
 * ```
 */
export interface LoadedCollection<E, I = ColumnsOnly<E>> extends ReadonlyArray<E>, Collection<E, I> {}

/**
 * A read-only to-many relation (`viewOnly: true`) that may not be loaded yet: it loads, and has no
 * change methods (the unit of work ignores it).
 *
 * @example
 * ```ts
 * const published = await author.publishedBooks.load()   // a LoadedViewCollection
 * ```
 */
export interface ViewCollection<E> {
  /** Loads the related objects that match the relation's `where` (once per session) and returns them. */
  load(): Promise<LoadedViewCollection<E>>
  /** How many related objects match the relation's `where`, without loading them (its length once loaded). */
  count(): Promise<number>
}

/**
 * A loaded read-only to-many relation: a read-only array, with no change methods.
 *
 * @example
 * ```ts
 * const author = await session.query('authors').with({ publishedBooks: true }).one()
 * author.publishedBooks.map((b) => b.title)
 * ```
 */
export interface LoadedViewCollection<E> extends ReadonlyArray<E>, ViewCollection<E> {}

/** Whether a relation declaration is read-only (`viewOnly: true`). */
export type IsViewOnly<Rel> = Rel extends RelationDef<any, any, infer O> ? (O extends { readonly viewOnly: true } ? true : false) : false

/**
 * A to-one relation that may not be loaded yet: `load()` it. Once loaded, the relation is the
 * object itself, which has `load()` too (resolving to itself), so a loaded value is a
 * `Reference` as well: an entity with loaded relations is assignable to one without. A nullable
 * relation is `Reference | null`: `null` once loaded and absent. Point it elsewhere by assigning:
 * `book.author = other`.
 *
 * @example
 * ```ts
 * const writer = await book.author.load()
 * const album = await track.album?.load()   // a nullable relation
 * ```
 */
export interface Reference<E, TNullable extends boolean = true> {
  /** Loads the related object (without SQL when it is already in the identity map) and returns it. */
  load(): Promise<TNullable extends true ? E | null : E>
}

/**
 * What every entity has besides its columns and relations.
 *
 * @example
 * ```ts
 * const same = await author.load()   // resolves to author itself
 * ```
 */
export interface EntityMethods {
  /** Resolves to the object itself: what `book.author.load()` reaches once `book.author` is loaded. */
  load(): Promise<this>
}

/**
 * An entity's columns without its relation handles: what any object of that table, loaded or not, has.
 *
 * @example
 * ```ts
 * function label(book: ColumnsOnly<Entity<typeof schema, 'books'>>): string {
 *   return `${book.id}: ${book.title}`
 * }
 * ```
 */
export type ColumnsOnly<E> = {
  [P in keyof E as P extends 'load' | 'toJSON' ? never : NonNullable<E[P]> extends Collection<any, any> | Reference<any, any> ? never : P]: E[P]
}

type SqlNameOf<S extends AnySchema, K> = K extends keyof TablesOf<S> ? TablesOf<S>[K][typeof TableMeta]['name'] : never

/** Whether the to-one relation `Rel` of table `K` can be absent, following its foreign key's nullability. */
export type IsToOneNullable<S extends AnySchema, K extends TableKey<S>, Rel> = Rel extends RelationDef<infer Kind, infer Target, infer O>
  ? Kind extends 'oneToOne' | 'manyToOne'
    ? ForeignKeyNullable<ColumnsOf<S, K>, O, SqlNameOf<S, Target>>
    : false
  : true

/**
 * Nullable when any candidate key column is nullable, or when no key column could be found in the
 * source. Candidates are the columns named by `foreignKey`, else those referencing the target; a
 * reference to an unknown table (`ref: string`, from the `(): AnyColumn =>` annotation a
 * self-reference needs) serves only when no column names the target, so it cannot make every
 * other to-one relation of its table nullable.
 */
type ForeignKeyNullable<TColumns, O, TTargetSqlName extends string> =
  CandidateNotNull<TColumns, O, TTargetSqlName, 'known'> extends infer Known
    ? [Known] extends [never]
      ? AnyNullable<CandidateNotNull<TColumns, O, TTargetSqlName, 'unknown'>>
      : AnyNullable<Known>
    : true

type AnyNullable<NotNull> = [NotNull] extends [never] ? true : false extends NotNull ? true : false

/** The `notNull` flags of the candidate key columns. */
type CandidateNotNull<TColumns, O, TTargetSqlName extends string, TPass extends 'known' | 'unknown'> = {
  [C in keyof TColumns]: TColumns[C] extends AnyColumn
    ? (O extends { readonly foreignKey: infer F } ? C extends (F extends readonly (infer E)[] ? E : F) ? true : false : RefersTo<ColumnInfoOf<TColumns[C]>['ref'], TTargetSqlName, TPass>) extends true
      ? ColumnInfoOf<TColumns[C]>['notNull']
      : never
    : never
}[keyof TColumns]

type RefersTo<TRef extends string, TTargetSqlName extends string, TPass> = string extends TRef
  ? TPass extends 'unknown' ? true : false
  : TPass extends 'known' ? (TTargetSqlName extends TRef ? true : false) : false

/** The key under which `NotLoaded` keeps its hint: declared only, nothing reads or sets it. */
declare const notLoadedHint: unique symbol

/**
 * A relation handle that is not loaded, labelled with how to load it: reading it as if it were
 * loaded (`author.books.length`) is an error that names the fix, as in
 * `Property 'length' does not exist on type 'NotLoaded<"not loaded: .with({ books: true }) or await .load()", Collection<...>>'`.
 * The label is an optional property that no object has, so a loaded relation still fits.
 *
 * @example
 * ```ts
 * const author = await session.query('authors').one()
 * author.books                        // NotLoaded<"not loaded: ...", Collection<Book>>
 * const books = await author.books.load()
 * books.length
 * ```
 */
export type NotLoaded<Hint extends string, H> = H & { readonly [notLoadedHint]?: Hint }

/**
 * The type of unloaded relation `R` whose handle is `H`: `H` labelled by `NotLoaded` (a nullable
 * to-one's `null` kept apart from the label). What an entity's relation properties are.
 *
 * @example
 * ```ts
 * type Books = UnloadedHandle<'books', Collection<Book>>   // Entity<typeof schema, 'authors'>['books']
 * const books: Collection<Book> = author.books             // still a Collection
 * ```
 */
export type UnloadedHandle<R extends string, H> = H extends null ? H : NotLoaded<`not loaded: .with({ ${R}: true }) or await .load()`, H>

/**
 * The handle type of one relation: a `Collection` for to-many, a `Reference` for to-one.
 *
 * @example
 * ```ts
 * type BooksHandle = Entity<typeof schema, 'authors'>['books']   // Collection<Entity<typeof schema, 'books'>>
 * type AuthorHandle = Entity<typeof schema, 'books'>['author']   // Reference<Entity<typeof schema, 'authors'>, false>
 * ```
 */
export type RelationHandle<S extends AnySchema, K extends TableKey<S>, Rel> = Rel extends RelationDef<infer Kind, infer Target extends TableKey<S>>
  ? Kind extends 'oneToMany' | 'manyToMany'
    ? IsViewOnly<Rel> extends true
      ? ViewCollection<Entity<S, Target>>
      : [LinkOf<S, K, Rel>] extends [never]
        ? Collection<Entity<S, Target>>
        : LinkCollection<Entity<S, Target>, ColumnsOnly<Entity<S, Target>>, LinkOf<S, K, Rel>>
    : IsToOneNullable<S, K, Rel> extends true
      ? Reference<Entity<S, Target>, true> | null
      : Reference<Entity<S, Target>, false>
  : never

/**
 * An object of table `K` as a session returns it: its columns, and a handle per relation.
 *
 * @example
 * ```ts
 * type Book = Entity<typeof schema, 'books'>
 * const author = await book.author.load()
 * ```
 */
export type Entity<S extends AnySchema, K extends TableKey<S>> = Loaded<S, K, {}>
