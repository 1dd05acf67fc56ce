/** `table()`: a named set of columns, each bound to its table so foreign keys can point at it, and the table's indexes and constraints. */
import { Column, type AnyColumn, type BoundColumn } from './column.js'
import { tableDeclarations, type TableDeclarations, type TableOptions } from './table-options.js'

/**
 * Where a table keeps its name and columns, out of the way of column properties.
 *
 * @example
 * ```ts
 * bookAuthor[TableMeta].name                   // 'book_author'
 * Object.keys(bookAuthor[TableMeta].columns)   // ['bookId', 'authorId']
 * ```
 */
export const TableMeta: unique symbol = Symbol('relata.table')

export type ColumnMap = Record<string, AnyColumn>

/**
 * A declared table: its columns as properties (`books.title`), plus its SQL name and column map
 * under the `TableMeta` symbol.
 *
 * @example
 * ```ts
 * function describe(table: Table): string {
 *   return `${tableNameOf(table)} (${Object.keys(columnsOf(table)).join(', ')})`
 * }
 * describe(books)   // 'book (id, title)'
 * ```
 */
export type Table<TName extends string = string, TColumns extends ColumnMap = ColumnMap> = {
  readonly [K in keyof TColumns]: BoundColumn<TName, TColumns[K]>
} & {
  readonly [TableMeta]: { readonly name: TName; readonly columns: TColumns; readonly declarations: TableDeclarations }
}

/**
 * Any declared table, whatever its name and columns: what `defineSchema` takes.
 *
 * @example
 * ```ts
 * const tables: Record<string, AnyTable> = { books, authors, bookAuthor }
 * Object.values(tables).map(tableNameOf)   // ['book', 'author', 'book_author']
 * ```
 */
export type AnyTable = Table<string, ColumnMap>

/**
 * Declares a table; its third argument declares indexes, multi-column unique constraints, check
 * constraints and a comment, naming columns by property (a misspelt name is a compile error).
 *
 * @example
 * ```ts
 * export const authors = table('authors', {
 *   id: t.serial().primaryKey(),
 *   name: t.text(),
 * })
 * export const books = table(
 *   'books',
 *   { id: t.serial().primaryKey(), title: t.text(), year: t.integer(), authorId: t.integer() },
 *   {
 *     indexes: [{ columns: ['title', 'year'] }, { columns: ['year'], where: sql`year > 2000` }],
 *     uniques: [['authorId', 'title']],
 *     checks: { books_year_check: sql`year > 0` },
 *     comment: 'One row per edition',
 *   },
 * )
 * ```
 */
export function table<const TName extends string, TColumns extends ColumnMap>(
  name: TName,
  columns: TColumns,
  options?: TableOptions<NoInfer<keyof TColumns & string>>,
): Table<TName, TColumns> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError('table(): the table name must be a non-empty string')
  }
  const bound: Record<string, AnyColumn> = {}
  for (const [propertyName, column] of Object.entries(columns)) {
    if (!(column instanceof Column)) {
      throw new TypeError(`table('${name}'): '${propertyName}' is not a column (build it with one of the t.* factories)`)
    }
    bound[propertyName] = new Column(column.config, { tableName: name, propertyName })
  }
  Object.freeze(bound)
  const declarations = tableDeclarations(name, Object.keys(bound), options ?? {})
  return Object.freeze({ ...bound, [TableMeta]: Object.freeze({ name, columns: bound, declarations }) }) as unknown as Table<TName, TColumns>
}

/**
 * The SQL name a table was declared with.
 *
 * @example
 * ```ts
 * tableNameOf(bookAuthor)   // 'book_author'
 * ```
 */
export function tableNameOf(t: AnyTable): string {
  return t[TableMeta].name
}

/**
 * The columns of a table, keyed by property name.
 *
 * @example
 * ```ts
 * Object.keys(columnsOf(books))   // ['id', 'title']
 * ```
 */
export function columnsOf(t: AnyTable): Readonly<Record<string, AnyColumn>> {
  return t[TableMeta].columns
}

export function isTable(value: unknown): value is AnyTable {
  return typeof value === 'object' && value !== null && TableMeta in value
}
