/** Relation declarations: the `oneToMany` / `manyToOne` / `oneToOne` / `manyToMany` helpers and the plain data they return. */

/**
 * The four kinds of relation, one per helper of the `defineSchema` callback.
 *
 * @example
 * ```ts
 * schema.table('books').relations.get('authors')!.kind   // 'manyToMany'
 * ```
 */
export type RelationKind = 'oneToMany' | 'manyToOne' | 'oneToOne' | 'manyToMany'

/**
 * How a relation is loaded eagerly: one statement with JSON-aggregated children, or one `IN (...)`
 * statement per level.
 *
 * @example
 * ```ts
 * authors: { books: oneToMany('books', { backPopulates: 'author', strategy: 'join' }) }   // declared
 * await session.query('authors').with({ books: 'selectIn' }).all()                        // per path
 * await session.query('authors').with({ books: true }).strategy('join').all()             // per query
 * ```
 */
export type LoadStrategy = 'join' | 'selectIn'

/** Column property names: one, or several for a composite key. */
export type KeyColumns<C extends string = string> = C | readonly [C, ...C[]]

/**
 * What happens to related objects when the owner is saved, deleted, or loses them (SQLAlchemy's
 * `cascade`). Each relation kind takes the options that mean something for it: `passive` is not
 * an option of a `manyToOne`, and `deleteOrphan` on a `manyToOne` or `manyToMany` needs
 * `singleParent: true`. Anything else is a compile error and a `SchemaError`.
 *
 * @example
 * ```ts
 * owners: { chores: oneToMany('chores', { backPopulates: 'owner', cascade: { delete: true, deleteOrphan: true } }) }
 * ```
 */
export interface CascadeOptions {
  /** New objects reachable through this relation are added to the session (default `true`). */
  readonly save?: boolean
  /**
   * Deleting the owner deletes these objects too: the children of a one-to-many or inverse
   * one-to-one, the object a many-to-one or owning one-to-one points at (after the owner's row),
   * the objects of a many-to-many (with their link rows).
   */
  readonly delete?: boolean
  /**
   * An object this relation lets go of is deleted: a child removed from a one-to-many (or an
   * inverse one-to-one set to another or null), the object a many-to-one or one-to-one pointed
   * at before it was set to another or null, an object removed from a many-to-many.
   */
  readonly deleteOrphan?: boolean
  /**
   * Leave deletes to the database's `ON DELETE` instead of loading and deleting (or unsetting)
   * the rows that point at the deleted owner: one-to-many, inverse one-to-one, many-to-many.
   */
  readonly passive?: boolean
}

/**
 * The cascades of a `manyToOne`: its rows point at the target, so there is nothing to leave to
 * the database (`passive`).
 *
 * @example
 * ```ts
 * users: { pref: manyToOne('prefs', { singleParent: true, cascade: { delete: true, deleteOrphan: true } }) }
 * ```
 */
export type ManyToOneCascadeOptions = Omit<CascadeOptions, 'passive'>

interface CommonOptions {
  /** The relation on the target table that mirrors this one; the mirror must name this one back. */
  readonly backPopulates?: string
  /** Default eager-loading strategy (to-one: `join`, to-many: `selectIn`). */
  readonly strategy?: LoadStrategy
  /**
   * Read-only (SQLAlchemy's `viewonly=True`): the relation loads and filters, and the unit of work
   * ignores it; adding, removing or assigning through it is an error. Takes no `backPopulates` nor `cascade`.
   */
  readonly viewOnly?: boolean
  /**
   * Only the related rows whose columns equal these values (`null`: `IS NULL`), in every load and
   * relation filter: SQLAlchemy's custom `primaryjoin`. Needs `viewOnly: true`.
   */
  readonly where?: Readonly<Record<string, unknown>>
}

/**
 * Options of `oneToOne`. A one-to-one is single-parent by its kind, so `cascade.deleteOrphan`
 * needs nothing more.
 *
 * @example
 * ```ts
 * users: { profile: oneToOne('profiles', { backPopulates: 'user', cascade: { delete: true, deleteOrphan: true } }) }
 * ```
 */
export interface ToOneOptions extends CommonOptions {
  /** The foreign-key column(s) in the table that holds the key, when several could serve. */
  readonly foreignKey?: KeyColumns
  /** `passive` only on the side whose key lives in the other row (an inverse one-to-one). */
  readonly cascade?: CascadeOptions
}

/**
 * Options of `manyToOne`: `singleParent` says a target object belongs to one owner at most
 * (required by `cascade.deleteOrphan`, as SQLAlchemy's `single_parent`).
 *
 * @example
 * ```ts
 * users: { pref: manyToOne('prefs', { singleParent: true, cascade: { delete: true, deleteOrphan: true } }) }
 * ```
 */
export interface ManyToOneOptions extends CommonOptions {
  /** The foreign-key column(s) in this table, when several could serve. */
  readonly foreignKey?: KeyColumns
  readonly cascade?: ManyToOneCascadeOptions
  /** A target object is pointed at by one owner at most: a flush that finds two fails before any SQL. */
  readonly singleParent?: boolean
}

/**
 * A collection's declared order, applied on every load of it (lazy, `selectIn`, `join`, per-parent
 * pages) unless a `.with()` callback orders it itself: columns of the related table, each ascending
 * or with its direction, as `orderBy(column, direction)` takes them (SQLAlchemy's
 * `relationship(order_by=...)`, MikroORM's `@OneToMany({ orderBy })`).
 *
 * @example
 * ```ts
 * authors: { books: oneToMany('books', { backPopulates: 'author', orderBy: [['year', 'desc'], 'title'] }) }
 * ```
 */
export type RelationOrder<C extends string = string> = readonly (C | readonly [C, 'asc' | 'desc'])[]

/**
 * Options of `oneToMany`.
 *
 * @example
 * ```ts
 * employees: { customers: oneToMany('customers', { backPopulates: 'supportRep', foreignKey: 'supportRepId' }) }
 * ```
 */
export interface OneToManyOptions extends CommonOptions {
  /** The foreign-key column(s) in the target table, when several point back at this one. */
  readonly foreignKey?: KeyColumns
  readonly cascade?: CascadeOptions
  /** The collection's order on every load, unless a `.with()` callback orders it: `['title']`, `[['year', 'desc']]`. */
  readonly orderBy?: RelationOrder
}

/**
 * Options of `manyToMany`: the association table, and its key columns when they cannot be inferred.
 *
 * @example
 * ```ts
 * books: { authors: manyToMany('authors', { via: 'bookAuthor', backPopulates: 'books' }) }
 * ```
 */
export interface ManyToManyOptions<TTableKey extends string = string> extends CommonOptions {
  /** The association table, by its key in the schema. */
  readonly via: TTableKey
  /** Column(s) of the association table pointing at this relation's owner. */
  readonly sourceKey?: KeyColumns
  /** Column(s) of the association table pointing at the target. */
  readonly targetKey?: KeyColumns
  readonly cascade?: CascadeOptions
  /** A target object is linked to one owner at most (required by `cascade.deleteOrphan`). */
  readonly singleParent?: boolean
  /** The collection's order on every load, unless a `.with()` callback orders it (columns of the target table). */
  readonly orderBy?: RelationOrder
}

/**
 * A declared relation, before `defineSchema` resolves its join. `O` is the options as written,
 * constrained to `object` only: an options type such as `{ foreignKey: 'x' }` shares no property
 * with `CommonOptions`, so under that constraint `infer O` would not match it (weak type).
 *
 * @example
 * ```ts
 * defineSchema({ authors, books }, ({ manyToOne }) => {
 *   const author = manyToOne('authors', { backPopulates: 'books' })
 *   // RelationDef<'manyToOne', 'authors', { readonly backPopulates: 'books' }>
 *   return { books: { author } }
 * })
 * ```
 */
export interface RelationDef<K extends RelationKind = RelationKind, TTarget extends string = string, O extends object = object> {
  readonly kind: K
  readonly target: TTarget
  readonly options: O
}

export type AnyRelationDef = RelationDef<RelationKind, string, any>

/**
 * The helpers handed to the relations callback of `defineSchema`, typed by the schema's table keys.
 * Each has an overload without options: with a single optional parameter, a call without options
 * would infer `O` from the callback's contextual return type (`any`) instead of `{}`.
 *
 * @example
 * ```ts
 * defineSchema({ authors, books }, ({ oneToMany, manyToOne }) => ({
 *   authors: { books: oneToMany('books', { backPopulates: 'author' }) },
 *   books: { author: manyToOne('authors', { backPopulates: 'books' }) },
 * }))
 * ```
 */
export interface RelationHelpers<TTableKey extends string> {
  /** The other table holds a foreign key to this one: `author.books`. */
  oneToMany<TTarget extends TTableKey>(target: TTarget): RelationDef<'oneToMany', TTarget, {}>
  /** As above, with options: `backPopulates`, `strategy`, `foreignKey`, `cascade`, `orderBy`. */
  oneToMany<TTarget extends TTableKey, const O extends OneToManyOptions>(target: TTarget, options: O): RelationDef<'oneToMany', TTarget, O>
  /** This table holds a foreign key to the other: `book.author`. */
  manyToOne<TTarget extends TTableKey>(target: TTarget): RelationDef<'manyToOne', TTarget, {}>
  /** As above, with options: `backPopulates`, `strategy`, `foreignKey`, `singleParent` and its `cascade`. */
  manyToOne<TTarget extends TTableKey, const O extends ManyToOneOptions>(target: TTarget, options: O): RelationDef<'manyToOne', TTarget, O>
  /** At most one on each side; the side with the foreign key owns it. */
  oneToOne<TTarget extends TTableKey>(target: TTarget): RelationDef<'oneToOne', TTarget, {}>
  /** As above, with options: `backPopulates`, `strategy`, `foreignKey`, `cascade`. */
  oneToOne<TTarget extends TTableKey, const O extends ToOneOptions>(target: TTarget, options: O): RelationDef<'oneToOne', TTarget, O>
  /** Through an association table: `book.coauthors` via `book_author`. */
  manyToMany<TTarget extends TTableKey, const O extends ManyToManyOptions<TTableKey>>(target: TTarget, options: O): RelationDef<'manyToMany', TTarget, O>
}

function define<K extends RelationKind>(kind: K) {
  return (target: string, options: object = {}) => Object.freeze({ kind, target, options: Object.freeze({ ...options }) })
}

/** @internal The run-time helpers; their types come from `RelationHelpers`. */
export const relationHelpers: RelationHelpers<string> = {
  oneToMany: define('oneToMany'),
  manyToOne: define('manyToOne'),
  oneToOne: define('oneToOne'),
  manyToMany: define('manyToMany'),
} as RelationHelpers<string>

/** Which kind of relation may mirror which through `backPopulates`. */
export const mirrorKind: Readonly<Record<RelationKind, RelationKind>> = {
  oneToMany: 'manyToOne',
  manyToOne: 'oneToMany',
  oneToOne: 'oneToOne',
  manyToMany: 'manyToMany',
}

export function keyColumnList(key: KeyColumns | undefined): readonly string[] | undefined {
  if (key === undefined) return undefined
  return typeof key === 'string' ? [key] : key
}
