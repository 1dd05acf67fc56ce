/**
 * A database's tables as plain, JSON-serialisable data: what a migration diff compares. Produced from
 * a Relata schema (what `createTables()` would create) and from an existing database (introspection),
 * and stored as the snapshot beside the migrations, so both sides must normalise the same way
 * (`shape/normalize.ts`): lower-case type names without spaces inside parentheses, defaults as SQL
 * expression text, names as the database stores them.
 */

/**
 * Which SQL a shape's type names and default expressions are written in.
 *
 * @example
 * ```ts
 * const family: ShapeFamily = orm.dialect.capabilities.family
 * ```
 */
export type ShapeFamily = 'postgres' | 'mysql'

/**
 * Every table of one schema (PostgreSQL) or database (MySQL), keyed by SQL table name.
 *
 * @example
 * ```ts
 * const shape: SchemaShape = { family: 'postgres', tables: { authors: { name: 'authors', columns: [...], ... } } }
 * ```
 */
export interface SchemaShape {
  readonly family: ShapeFamily
  readonly tables: Readonly<Record<string, TableShape>>
}

/**
 * One table: columns in their declared order, its keys, indexes and constraints.
 *
 * @example
 * ```ts
 * const books: TableShape = shape.tables.books!
 * ```
 */
export interface TableShape {
  readonly name: string
  readonly columns: readonly ColumnShape[]
  /** Absent: the table has no primary key. Its name is null on MySQL, where it is always `PRIMARY`. */
  readonly primaryKey: { readonly name: string | null; readonly columns: readonly string[] } | null
  readonly foreignKeys: readonly ForeignKeyShape[]
  /**
   * Indexes that are not the primary key and not a unique constraint's own index. On MySQL a
   * unique index without a predicate is listed among `uniques` (its catalogue cannot tell the two
   * apart), and the index InnoDB adds for a foreign key is left out. Sorted by name, as are the
   * keys, uniques and checks (`normalizeShape`).
   */
  readonly indexes: readonly IndexShape[]
  readonly uniques: readonly UniqueShape[]
  readonly checks: readonly CheckShape[]
  readonly comment: string | null
}

/**
 * One column as the database reports it.
 *
 * @example
 * ```ts
 * const title: ColumnShape = { name: 'title', type: 'text', nullable: false, default: null, autoIncrement: false, comment: null }
 * ```
 */
export interface ColumnShape {
  readonly name: string
  /** Normalised type: `integer`, `varchar(255)`, `numeric(10,2)`, `timestamptz`, `tinyint(1)`... */
  readonly type: string
  readonly nullable: boolean
  /** The default as SQL expression text (normalised), null without one; identity/serial/auto-increment columns have none. */
  readonly default: string | null
  /** Filled by the database: PostgreSQL `serial` / identity, MySQL `AUTO_INCREMENT`. */
  readonly autoIncrement: boolean
  readonly comment: string | null
}

/**
 * A referential action as both families spell it in DDL.
 *
 * @example
 * ```ts
 * const action: ReferentialActionShape = 'cascade'
 * ```
 */
export type ReferentialActionShape = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default'

/**
 * A foreign key constraint.
 *
 * @example
 * ```ts
 * const key: ForeignKeyShape = { name: 'books_author_id_fkey', columns: ['author_id'], referencedTable: 'authors', referencedColumns: ['id'], onDelete: 'cascade', onUpdate: 'no action' }
 * ```
 */
export interface ForeignKeyShape {
  readonly name: string
  readonly columns: readonly string[]
  readonly referencedTable: string
  readonly referencedColumns: readonly string[]
  readonly onDelete: ReferentialActionShape
  readonly onUpdate: ReferentialActionShape
}

/**
 * An index; `where` is a partial index's predicate (PostgreSQL only), as SQL text.
 *
 * @example
 * ```ts
 * const index: IndexShape = { name: 'books_title_idx', columns: ['title'], unique: false, where: null }
 * ```
 */
export interface IndexShape {
  readonly name: string
  readonly columns: readonly string[]
  readonly unique: boolean
  readonly where: string | null
}

/**
 * A unique constraint (multi-column or single).
 *
 * @example
 * ```ts
 * const unique: UniqueShape = { name: 'books_isbn_key', columns: ['isbn'] }
 * ```
 */
export interface UniqueShape {
  readonly name: string
  readonly columns: readonly string[]
}

/**
 * A check constraint, its expression as SQL text.
 *
 * @example
 * ```ts
 * const check: CheckShape = { name: 'books_pages_check', expression: 'pages > 0' }
 * ```
 */
export interface CheckShape {
  readonly name: string
  /**
   * In `normalizeCondition`'s spelling. PostgreSQL's check of a `t.enum()` column is one; MariaDB's
   * `json_valid()` check of a json column is not (the column's type says `json`).
   */
  readonly expression: string
}
