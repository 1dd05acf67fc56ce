/** The resolved, run-time model of a schema: what DDL, loading and persistence read. Plain frozen data. */
import type { Expression } from 'kysely'
import type { ColumnConfig, ReferentialAction } from './column.js'
import type { CascadeOptions, LoadStrategy, RelationKind } from './relations.js'

/**
 * A resolved column: its property name, its SQL name (after casing and `.name()`) and its configuration.
 *
 * @example
 * ```ts
 * const column = schema.table('books').columnsByProperty.get('authorId')!
 * column.sqlName            // 'author_id' with casing 'snake_case'
 * column.config.nullable    // false
 * ```
 */
export interface ColumnModel {
  /** TypeScript property name. */
  readonly property: string
  /** SQL column name. */
  readonly sqlName: string
  readonly config: ColumnConfig
}

/**
 * A resolved foreign key: its constraint name, its columns and the columns it references.
 *
 * @example
 * ```ts
 * const [bookKey] = schema.table('bookAuthor').foreignKeys
 * bookKey.name                 // 'book_author_book_id_fkey'
 * bookKey.references.sqlName   // 'book'
 * bookKey.onDelete             // 'cascade'
 * ```
 */
export interface ForeignKeyModel {
  /** Constraint name, derived from the table and its columns. */
  readonly name: string
  readonly table: TableModel
  readonly columns: readonly ColumnModel[]
  readonly references: TableModel
  readonly referencedColumns: readonly ColumnModel[]
  readonly onDelete?: ReferentialAction
  readonly onUpdate?: ReferentialAction
}

/**
 * A resolved table: its key in the schema, its SQL name, columns, keys and relations.
 *
 * @example
 * ```ts
 * const model = schema.table('bookAuthor')
 * model.sqlName                                 // 'book_author'
 * model.primaryKey.map((c) => c.property)       // ['bookId', 'authorId']
 * [...schema.table('books').relations.keys()]   // ['authors']
 * ```
 */
export interface TableModel {
  /** Key of the table in the schema (`bookAuthor`): what relations and queries name. */
  readonly key: string
  /** SQL table name (`book_author`). */
  readonly sqlName: string
  readonly columns: readonly ColumnModel[]
  readonly columnsByProperty: ReadonlyMap<string, ColumnModel>
  readonly primaryKey: readonly ColumnModel[]
  readonly foreignKeys: readonly ForeignKeyModel[]
  readonly relations: ReadonlyMap<string, RelationModel>
  readonly versionColumn?: ColumnModel
  /** Indexes declared with `table()`'s `indexes` option. */
  readonly indexes: readonly IndexModel[]
  /** Unique constraints: each `.unique()` column's, then those of the `uniques` option. */
  readonly uniques: readonly UniqueModel[]
  /** Check constraints of the `checks` option (an enum's check is the family's: `DdlRules.columnCheck`). */
  readonly checks: readonly CheckModel[]
  readonly comment?: string
}

/**
 * A resolved index: its name (given, or `<table>_<columns>_idx`) and SQL columns.
 *
 * @example
 * ```ts
 * const [index] = schema.table('books').indexes
 * index.name                          // 'books_title_year_idx'
 * index.columns.map((c) => c.sqlName) // ['title', 'year']
 * ```
 */
export interface IndexModel {
  readonly name: string
  readonly columns: readonly ColumnModel[]
  readonly unique: boolean
  /** A partial index's predicate. */
  readonly where?: Expression<unknown>
}

/**
 * A resolved unique constraint: its name (given, or `<table>_<columns>_key`) and columns.
 *
 * @example
 * ```ts
 * schema.table('books').uniques.map((u) => u.name)   // ['books_isbn_key', 'books_author_id_title_key']
 * ```
 */
export interface UniqueModel {
  readonly name: string
  readonly columns: readonly ColumnModel[]
}

/**
 * A check constraint: its name and condition.
 *
 * @example
 * ```ts
 * schema.table('books').checks[0]!.name   // 'books_year_check'
 * ```
 */
export interface CheckModel {
  readonly name: string
  readonly expression: Expression<unknown>
}

/**
 * The association table of a many-to-many, with its two foreign keys.
 *
 * @example
 * ```ts
 * const { table, sourceKey, targetKey } = schema.table('books').relations.get('authors')!.association!
 * table.sqlName       // 'book_author'
 * sourceKey.name      // 'book_author_book_id_fkey'
 * targetKey.name      // 'book_author_author_id_fkey'
 * ```
 */
export interface AssociationModel {
  readonly table: TableModel
  /** Foreign key of the association table pointing at the relation's source. */
  readonly sourceKey: ForeignKeyModel
  /** Foreign key of the association table pointing at the relation's target. */
  readonly targetKey: ForeignKeyModel
}

/**
 * A resolved relation: its kind, both tables, the foreign key that implements it, and its loading
 * and cascade settings.
 *
 * @example
 * ```ts
 * const relation = schema.table('books').relations.get('author')!
 * relation.kind                  // 'manyToOne'
 * relation.owning                // true: books holds the key
 * relation.target.sqlName        // 'authors'
 * relation.strategy              // 'join', the to-one default
 * ```
 */
export interface RelationModel {
  readonly name: string
  readonly kind: RelationKind
  readonly source: TableModel
  readonly target: TableModel
  /** True when a single related object (to-one), false for a collection. */
  readonly toOne: boolean
  /**
   * The foreign key that implements the relation. For many-to-many it is the association's key
   * pointing at the source; see `association` for both.
   */
  readonly foreignKey: ForeignKeyModel
  /** The foreign key lives in the source table (many-to-one, owning one-to-one). */
  readonly owning: boolean
  /** Join pairs: `sourceColumns[i]` of the source equals `targetColumns[i]` of the target (direct relations). */
  readonly sourceColumns: readonly ColumnModel[]
  readonly targetColumns: readonly ColumnModel[]
  readonly association?: AssociationModel
  /** A to-one relation that can be absent. */
  readonly nullable: boolean
  readonly backPopulates?: string
  readonly strategy: LoadStrategy
  readonly cascade: Required<CascadeOptions>
  /** A target object has one owner through this relation at most (`singleParent`, and every one-to-one). */
  readonly singleParent: boolean
  /** A collection's declared order on every load (`orderBy` option); empty for to-one relations and without one. */
  readonly orderBy: readonly RelationOrderItem[]
  /** Read-only (`viewOnly: true`): loaded and filtered on, never written; the unit of work ignores it. */
  readonly viewOnly: boolean
  /** The declared `where` of a read-only relation: each target column equals its value (`null`: `IS NULL`). */
  readonly condition?: readonly RelationCondition[]
}

/**
 * One column of a collection's declared order.
 *
 * @example
 * ```ts
 * schema.table('authors').relations.get('books')!.orderBy   // [{ column: <books.title>, direction: 'asc' }]
 * ```
 */
export interface RelationOrderItem {
  readonly column: ColumnModel
  readonly direction: 'asc' | 'desc'
  /** A column of a many-to-many's link table (`'via.position'`), not of its target. */
  readonly link?: true
}

/**
 * One column equality of a read-only relation's declared `where`.
 *
 * @example
 * ```ts
 * const [published] = schema.table('authors').relations.get('publishedBooks')!.condition!
 * published.column.property   // 'published'
 * published.value             // true
 * ```
 */
export interface RelationCondition {
  readonly column: ColumnModel
  readonly value: unknown
}
