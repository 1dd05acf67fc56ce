/** Column builders: the `t.*` factories and the immutable `Column` value they return. */
import type { Expression } from 'kysely'

/**
 * The SQL data types a column can be declared with: one per `t.*` factory.
 *
 * @example
 * ```ts
 * t.varchar(200).config.dataType                               // 'varchar'
 * schema.table('books').columnsByProperty.get('title')!.config.dataType  // 'varchar'
 * ```
 */
export type ColumnDataType =
  | 'serial'
  | 'integer'
  | 'bigint'
  | 'text'
  | 'varchar'
  | 'boolean'
  | 'numeric'
  | 'real'
  | 'double'
  | 'timestamp'
  | 'date'
  | 'json'
  | 'jsonb'
  | 'uuid'
  | 'enum'

/**
 * What a foreign key does when the referenced row is deleted or its key updated.
 *
 * @example
 * ```ts
 * authorId: t.integer().nullable().references(() => users.id, { onDelete: 'set null' })
 * ```
 */
export type ReferentialAction = 'cascade' | 'restrict' | 'no action' | 'set null' | 'set default'

/**
 * The actions of a foreign key declared with `.references()`, as SQL's `ON DELETE` and `ON UPDATE`
 * clauses; unset, the database's default (`no action`) applies.
 *
 * @example
 * ```ts
 * bookId: t.integer().primaryKey().references(() => books.id, { onDelete: 'cascade' })
 * artistId: t.integer().name('ArtistId').references(() => artist.artistId, { name: 'FK_AlbumArtistId' })
 * ```
 */
export interface ReferenceOptions {
  onDelete?: ReferentialAction
  onUpdate?: ReferentialAction
  /**
   * The constraint's name (default `<table>_<columns>_fkey`), for a database whose keys are named
   * otherwise (`FK_AlbumArtistId`); on a composite key, give it on one column or the same on each.
   */
  name?: string
}

/**
 * A column default: a literal value, or a SQL expression such as `sql\`now()\``, as `.default()` stores it.
 *
 * @example
 * ```ts
 * status: t.enum(['draft', 'published']).default('draft'),   // { kind: 'value', value: 'draft' }
 * joinedAt: t.timestamp().default(sql`now()`),                // { kind: 'sql', sql: ... }
 * ```
 */
export type ColumnDefault = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'sql'; readonly sql: Expression<unknown> }

/**
 * The run-time description of a column. Plain data, frozen; read by DDL, loading and persistence.
 *
 * @example
 * ```ts
 * const { dataType, length, nullable } = schema.table('books').columnsByProperty.get('title')!.config
 * // 'varchar', 200, false
 * ```
 */
export interface ColumnConfig {
  readonly dataType: ColumnDataType
  /** varchar length. */
  readonly length?: number
  /** numeric precision and scale; timestamp fractional-second precision. */
  readonly precision?: number
  readonly scale?: number
  readonly withTimezone?: boolean
  readonly enumValues?: readonly string[]
  /** SQL name given explicitly with `.name()`; otherwise derived from the property name. */
  readonly sqlName?: string
  readonly nullable: boolean
  readonly primaryKey: boolean
  readonly unique: boolean
  /** The database fills the value (serial). */
  readonly generated: boolean
  readonly default?: ColumnDefault
  readonly references?: {
    /** The referenced column, behind a function so that tables may refer to each other in any order. */
    readonly column: () => AnyColumn
    readonly options: ReferenceOptions
  }
  /** Optimistic-lock version column. */
  readonly version: boolean
  /** The column's comment in the database (`COMMENT ON COLUMN`; MySQL's `COMMENT` clause). */
  readonly comment?: string
  /** Declared `.deferred()`: queries leave it out unless they name it (`undefer()`, `select()`); `obj.load('column')` reads it. */
  readonly deferred?: boolean
}

/**
 * Type-level facts about a column, carried on a phantom field so that inference never runs
 * the builder. `notNull` and `hasDefault` decide the select and insert types; `ref` names the
 * SQL table a foreign key points at (used to type a many-to-one as nullable or not); `unique`
 * says what an upsert may name as its conflict target.
 */
export interface ColumnTypeInfo<
  TType = unknown,
  TNotNull extends boolean = boolean,
  THasDefault extends boolean = boolean,
  TPrimaryKey extends boolean = boolean,
  TRef extends string = string,
  TSqlName extends string = string,
  TUnique extends boolean = boolean,
  TDeferred extends boolean = boolean,
> {
  type: TType
  notNull: TNotNull
  hasDefault: THasDefault
  primaryKey: TPrimaryKey
  ref: TRef
  sqlName: TSqlName
  /** Declared `.unique()`: an upsert may name it as its conflict target. */
  unique: TUnique
  /** Declared `.deferred()`: left out of query results' types unless the query loads it. */
  deferred: TDeferred
}

declare const columnInfo: unique symbol

/**
 * A declared column. Immutable: every modifier returns a new column.
 *
 * @example
 * ```ts
 * const books = table('books', {
 *   id: t.serial().primaryKey(),
 *   title: t.varchar(200).unique(),
 *   authorId: t.integer().nullable().references(() => authors.id, { onDelete: 'set null' }),
 * })
 * ```
 */
export class Column<
  TType = unknown,
  TNotNull extends boolean = true,
  THasDefault extends boolean = false,
  TPrimaryKey extends boolean = false,
  TRef extends string = never,
  TSqlName extends string = never,
  TUnique extends boolean = false,
  TDeferred extends boolean = false,
> {
  declare readonly [columnInfo]: ColumnTypeInfo<TType, TNotNull, THasDefault, TPrimaryKey, TRef, TSqlName, TUnique, TDeferred>
  /** The SQL table this column belongs to, set by `table()`. */
  readonly tableName: string | undefined
  /** The property name in the table declaration, set by `table()`. */
  readonly propertyName: string | undefined

  /** @internal */
  constructor(
    readonly config: ColumnConfig,
    owner?: { tableName: string; propertyName: string },
  ) {
    this.tableName = owner?.tableName
    this.propertyName = owner?.propertyName
    Object.freeze(this)
  }

  /** Part of the primary key (declare it on several columns for a composite key). */
  primaryKey(): Column<TType, true, THasDefault, true, TRef, TSqlName, TUnique, TDeferred> {
    if (this.config.deferred) throw new TypeError('primaryKey(): a deferred column cannot be part of the primary key, which is always loaded')
    return this.#with({ primaryKey: true, nullable: false })
  }

  /** Accepts SQL `NULL`; the property type becomes `T | null` and is optional on insert. */
  nullable(): Column<TType, false, THasDefault, TPrimaryKey, TRef, TSqlName, TUnique, TDeferred> {
    return this.#with({ nullable: true })
  }

  /** A default: a value, or a SQL expression (`sql\`now()\``). The column becomes optional on insert. */
  default(value: TType | Expression<unknown>): Column<TType, TNotNull, true, TPrimaryKey, TRef, TSqlName, TUnique, TDeferred> {
    const isExpression = typeof value === 'object' && value !== null && 'toOperationNode' in value
    return this.#with({
      default: isExpression ? { kind: 'sql', sql: value as Expression<unknown> } : { kind: 'value', value },
    })
  }

  /** A `UNIQUE` constraint on this column alone. */
  unique(): Column<TType, TNotNull, THasDefault, TPrimaryKey, TRef, TSqlName, true, TDeferred> {
    return this.#with({ unique: true })
  }

  /** The column's comment, stored in the database's catalogue (`COMMENT ON COLUMN`; MySQL's `COMMENT '...'`). */
  comment(text: string): Column<TType, TNotNull, THasDefault, TPrimaryKey, TRef, TSqlName, TUnique, TDeferred> {
    if (typeof text !== 'string') throw new TypeError('comment(): the comment must be a string')
    return this.#with({ comment: text })
  }

  /** The column's name in SQL, when it differs from the property name. */
  name<const N extends string>(sqlName: N): Column<TType, TNotNull, THasDefault, TPrimaryKey, TRef, N, TUnique, TDeferred> {
    return this.#with({ sqlName })
  }

  /**
   * A foreign key to another table's column. The callback defers the lookup so that tables can
   * be declared in any order; a table that references itself annotates the callback's return
   * type (`(): AnyColumn => employees.id`), as TypeScript cannot infer a self-referencing
   * initializer.
   */
  references<C extends AnyColumn>(
    column: () => C,
    options: ReferenceOptions = {},
  ): Column<TType, TNotNull, THasDefault, TPrimaryKey, ColumnTableOf<C>, TSqlName, TUnique, TDeferred> {
    return this.#with({ references: { column, options: Object.freeze({ ...options }) } })
  }

  /**
   * Deferred loading (SQLAlchemy's `deferred()`, MikroORM's `lazy: true`): queries leave the column
   * out unless they ask for it (`undefer('body')`, or `select()` naming it), and their results'
   * types do not have it; `await obj.load('body')` reads it later. For large text or JSON columns
   * that most reads do not need.
   */
  deferred(): Column<TType, TNotNull, THasDefault, TPrimaryKey, TRef, TSqlName, TUnique, true> {
    if (this.config.primaryKey || this.config.version) throw new TypeError('deferred(): a primary-key or version column is always loaded; it cannot be deferred')
    return this.#with({ deferred: true })
  }

  /** An optimistic-lock version: incremented on every update, checked in the `WHERE` clause. */
  version(this: Column<number, true, THasDefault, TPrimaryKey, TRef, TSqlName, TUnique, TDeferred>): Column<number, true, true, TPrimaryKey, TRef, TSqlName, TUnique, TDeferred> {
    if (this.config.deferred) throw new TypeError("version(): a deferred column cannot be the version column, which is always loaded")
    return this.#with({ version: true, default: { kind: 'value', value: 1 } })
  }

  #with(patch: Partial<ColumnConfig>): any {
    return new Column(Object.freeze({ ...this.config, ...patch }))
  }
}

/**
 * Any column, whatever its types. Annotates the callback of a self-reference, which TypeScript cannot
 * infer.
 *
 * @example
 * ```ts
 * export const employees = table('employee', {
 *   employeeId: t.serial().primaryKey(),
 *   reportsTo: t.integer().nullable().references((): AnyColumn => employees.employeeId),
 * })
 * ```
 */
export type AnyColumn = Column<any, boolean, boolean, boolean, string, string, boolean, boolean>

/** The SQL table name a bound column belongs to (a string literal once `table()` has bound it). */
export type ColumnTableOf<C extends AnyColumn> = Exclude<C['tableName'], undefined>

/** A column as exposed on its table (`authors.id`): it knows its table's SQL name. */
export type BoundColumn<TTable extends string, TColumn extends AnyColumn> = TColumn & { readonly tableName: TTable }

/** The type-level facts of a column. */
export type ColumnInfoOf<C extends AnyColumn> = C[typeof columnInfo]

function column<T>(dataType: ColumnDataType, extra: Partial<ColumnConfig> = {}): Column<T> {
  return new Column<T>(
    Object.freeze({ dataType, nullable: false, primaryKey: false, unique: false, generated: false, version: false, ...extra }),
  )
}

/**
 * Precision-safe decimal: the value of a `t.numeric()` column, read and written as a string so no
 * digit is lost.
 *
 * @example
 * ```ts
 * const price: NumericString = track.unitPrice   // '0.99'
 * session.create('tracks', { ...values, unitPrice: '1.29' })
 * ```
 */
export type NumericString = `${number}` | (string & {})

/**
 * The column factories.
 *
 * @example
 * ```ts
 * table('tracks', {
 *   id: t.serial().primaryKey(),
 *   name: t.varchar(200),
 *   unitPrice: t.numeric(10, 2),          // string: '0.99'
 *   milliseconds: t.integer(),
 *   meta: t.jsonb<{ tags: string[] }>().nullable(),
 *   kind: t.enum(['audio', 'video']),
 * })
 * ```
 */
export const t = {
  /** Auto-incrementing integer, filled by the database (`serial` / `AUTO_INCREMENT`). */
  serial: (): Column<number, true, true> => column<number>('serial', { generated: true }) as never,
  /** 32-bit integer as a JavaScript `number` (`integer`). */
  integer: (): Column<number> => column('integer'),
  /** 64-bit integer as a JavaScript `bigint`, exact beyond 2^53. */
  bigint: (): Column<bigint> => column('bigint'),
  /** Text of any length (`text`; `varchar(255)` on MySQL where it is part of a key). */
  text: (): Column<string> => column('text'),
  /** Text of at most `length` characters (`varchar(length)`, 255 by default). */
  varchar: (length = 255): Column<string> => column('varchar', { length }),
  /** `true` / `false` (`boolean`; MySQL's `tinyint(1)`, read back as a boolean). */
  boolean: (): Column<boolean> => column('boolean'),
  /** Exact decimal as a string (`'12.30'`), never a lossy JavaScript number. */
  numeric: (precision?: number, scale?: number): Column<NumericString> => column('numeric', { precision, scale }),
  /** Single-precision float (`real`; MySQL `float`). */
  real: (): Column<number> => column('real'),
  /** Double-precision float (`double precision`; MySQL `double`). */
  double: (): Column<number> => column('double'),
  /** A point in time as a `Date` (`timestamp`, or `timestamptz` with `withTimezone`; MySQL `datetime(3)`). */
  timestamp: (options: { withTimezone?: boolean; precision?: number } = {}): Column<Date> =>
    column('timestamp', { withTimezone: options.withTimezone ?? false, precision: options.precision }),
  /** A calendar date as a `Date` at midnight UTC (`date`). */
  date: (): Column<Date> => column('date'),
  /** A JSON document typed `T` (`json`; MySQL `json`). */
  json: <T = unknown>(): Column<T> => column('json'),
  /** A JSON document typed `T`, stored binary on PostgreSQL (`jsonb`; MySQL `json`). */
  jsonb: <T = unknown>(): Column<T> => column('jsonb'),
  /** A UUID as its string (`uuid`; MySQL `char(36)`). */
  uuid: (): Column<string> => column('uuid'),
  /** A string enumeration, stored as a checked string (a native `ENUM` on MySQL). */
  enum: <const V extends readonly [string, ...string[]]>(values: V): Column<V[number]> =>
    column('enum', { enumValues: Object.freeze([...values]) }),
}
