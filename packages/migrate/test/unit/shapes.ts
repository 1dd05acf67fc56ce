/** Hand-written SchemaShape values for the unit tests: a column, a table, a shape, with the defaults of a plain declaration. */
import type { ColumnShape, ForeignKeyShape, SchemaShape, ShapeFamily, TableShape } from '../../src/shape/schema-shape.js'

export function col(name: string, type: string, extra: Partial<ColumnShape> = {}): ColumnShape {
  return { name, type, nullable: false, default: null, autoIncrement: false, comment: null, ...extra }
}

export function fk(name: string, columns: string[], referencedTable: string, referencedColumns: string[] = ['id'], extra: Partial<ForeignKeyShape> = {}): ForeignKeyShape {
  return { name, columns, referencedTable, referencedColumns, onDelete: 'no action', onUpdate: 'no action', ...extra }
}

export function tbl(name: string, columns: ColumnShape[], extra: Partial<TableShape> = {}): TableShape {
  return { name, columns, primaryKey: { name: `${name}_pkey`, columns: ['id'] }, foreignKeys: [], indexes: [], uniques: [], checks: [], comment: null, ...extra }
}

export function shape(family: ShapeFamily, ...tables: TableShape[]): SchemaShape {
  return { family, tables: Object.fromEntries(tables.map((t) => [t.name, t])) }
}

export const id = (family: ShapeFamily = 'postgres') => col('id', 'integer', { autoIncrement: true })

/** Authors and books (books.author_id → authors.id), the shape most tests start from. */
export function library(family: ShapeFamily = 'postgres'): SchemaShape {
  return shape(
    family,
    tbl('authors', [id(family), col('name', 'varchar(100)')]),
    tbl('books', [id(family), col('title', 'text'), col('author_id', 'integer'), col('legacy', 'text', { nullable: true })], {
      foreignKeys: [fk('books_author_id_fkey', ['author_id'], 'authors', ['id'], { onDelete: 'cascade' })],
      indexes: [{ name: 'books_title_idx', columns: ['title'], unique: false, where: null }],
    }),
  )
}

/** The library after a second migration: books.title renamed to name, pages added, legacy dropped, two indexes, reviews added. */
export function changedLibrary(family: ShapeFamily = 'postgres'): SchemaShape {
  const before = library(family)
  const books = before.tables.books!
  return {
    family,
    tables: {
      authors: before.tables.authors!,
      books: {
        ...books,
        columns: [id(family), col('name', 'text'), col('author_id', 'integer'), col('pages', 'integer', { nullable: true, default: '0' })],
        indexes: [
          { name: 'books_name_idx', columns: ['name'], unique: false, where: null },
          { name: 'books_author_pages_idx', columns: ['author_id', 'pages'], unique: false, where: null },
        ],
      },
      reviews: tbl('reviews', [id(family), col('book_id', 'integer'), col('body', 'text')], {
        foreignKeys: [fk('reviews_book_id_fkey', ['book_id'], 'books', ['id'], { onDelete: 'cascade' })],
      }),
    },
  }
}
